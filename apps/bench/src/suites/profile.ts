/**
 * Suite `profile`: the `@lab/tensor` profiler on the built-in reference models: parameters,
 * true MACs, the NTIRE-compatible figures (FLOPs, activations, convolution count) and peak memory.
 * @packageDocumentation
 */
import { formatCount, profile as profileModel, resnetCifar, type Module } from '@lab/tensor';
import { defineSuite, type Metrics } from '../suite';

/** A model the suite profiles. */
export interface ReferenceModel {
  /** Metric prefix and `--model` value (lowercase kebab-case). */
  readonly name: string;
  /** Label in the table. */
  readonly label: string;
  /** Shape of one sample, NHWC without the batch axis (profiled at batch 1). */
  readonly inputShape: readonly number[];
  /** Builds a fresh model; the suite disposes it. */
  readonly build: () => Module;
}

/** The reference models, in table order. Add one entry per new reference model. */
export const REFERENCE_MODELS: readonly ReferenceModel[] = Object.freeze([
  { name: 'resnet56', label: 'ResNet-56 (CIFAR)', inputShape: [32, 32, 3], build: () => resnetCifar(56) },
]);

const MIB = 1024 * 1024;

export const profile = defineSuite({
  name: 'profile',
  description: 'Params, true MACs, NTIRE FLOPs/activations/conv count and peak memory of the reference models',
  options: {
    model: {
      type: 'string',
      choices: REFERENCE_MODELS.map((m) => m.name),
      description: 'profile only this model (default: all)',
    },
  },
  async run(ctx) {
    const models = REFERENCE_MODELS.filter((m) => ctx.options.model === undefined || m.name === ctx.options.model);
    ctx.progress.start(models.length);
    const metrics: Metrics = {};
    const rows: (string | number)[][] = [];
    for (const m of models) {
      ctx.progress.step(m.label);
      const model = m.build();
      try {
        model.eval();
        const p = await profileModel(model, [...m.inputShape], { batch: 1, trueMacs: true, memory: true });
        if (p.macs === undefined || p.peakBytes === undefined) {
          throw new Error(`profile: ${m.name}: the profiler returned no MACs or peak memory`);
        }
        metrics[`${m.name}.params`] = p.params;
        metrics[`${m.name}.macs`] = p.macs;
        metrics[`${m.name}.ntire.flops`] = p.ntire.flops;
        metrics[`${m.name}.ntire.activations`] = p.ntire.activations;
        metrics[`${m.name}.ntire.convLayers`] = p.ntire.convLayers;
        metrics[`${m.name}.peakBytes`] = p.peakBytes;
        rows.push([
          m.label,
          [1, ...m.inputShape].join('×'),
          formatCount(p.params),
          formatCount(p.macs),
          formatCount(p.ntire.flops),
          formatCount(p.ntire.activations),
          p.ntire.convLayers,
          `${(p.peakBytes / MIB).toFixed(2)} MiB`,
        ]);
      } finally {
        model.dispose();
      }
    }
    const first = models[0];
    return {
      metrics,
      tables: [
        {
          title: 'Reference models',
          columns: ['model', 'input', 'params', 'MACs', 'NTIRE FLOPs', 'NTIRE acts', 'convs', 'peak memory'],
          rows,
          notes: ['MACs: true multiply-accumulates of every layer; NTIRE figures follow the NTIRE 2022 ESR counter, quirks included.'],
        },
      ],
      summary: first
        ? `${first.name}: ${formatCount(metrics[`${first.name}.params`] as number)} params, ${formatCount(metrics[`${first.name}.macs`] as number)} MACs` +
          (models.length > 1 ? ` (+${models.length - 1} more)` : '')
        : 'no models',
    };
  },
});

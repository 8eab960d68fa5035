/**
 * Measurement of the full DATSR configuration (slow; opt in with LAB_DATSR_MEASURE=1):
 * parameter counts, true MACs via the profiler, and wasm forward time on a 40×40 LR image with a
 * 160×160 reference. Prints one JSON line starting with `DATSR_MEASURE`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, Rng, initBackend, measureRuntime, profile } from '@lab/tensor';
import { expect, it } from 'vitest';
import { disposeCorrespondence } from '../../src/models/datsr/correspondence-maps';
import { Datsr } from '../../src/models/datsr/datsr';

const ENABLED = process.env.LAB_DATSR_MEASURE === '1';

/** `lr → Datsr.upscale(lr, ref)` with a fixed reference, so the single-input profiler can run it. */
class WithReference extends Module<[tf.Tensor], tf.Tensor> {
  constructor(
    private readonly net: Datsr,
    private readonly ref: tf.Tensor,
  ) {
    super();
  }
  forward(lr: tf.Tensor): tf.Tensor {
    return this.net.upscale(lr, this.ref);
  }
}

it.skipIf(!ENABLED)('measures the full DATSR on wasm (LR 40×40, reference 160×160)', async () => {
  const info = await initBackend();
  const net = new Datsr({ rng: new Rng(1) }).eval();
  const lr = new Rng(2).uniformTensor([1, 40, 40, 3], 0, 1);
  const ref = new Rng(3).uniformTensor([1, 160, 160, 3], 0, 1);
  const out: Record<string, unknown> = { backend: info.backend, simd: info.simd, threads: info.threads };
  const log = (k: string, v: unknown): void => {
    out[k] = v;
    console.log(`DATSR_MEASURE ${k} ${JSON.stringify(v)}`);
  };
  try {
    log('params', { netG: net.netG.numParameters(), netExtractor: net.netExtractor.numParameters(), netMapVgg19: net.netMap.numParameters() });
    // One timed pass of each stage, then one profiled pass for the true MACs.
    let t0 = performance.now();
    const p = net.prepare(lr, ref);
    log('prepareMs', performance.now() - t0);
    try {
      t0 = performance.now();
      const y = net.netG.call(p.lr, p.correspondence);
      await y.data();
      log('netGMs', performance.now() - t0);
      y.dispose();
    } finally {
      p.lr.dispose();
      disposeCorrespondence(p.correspondence);
    }
    const t = await measureRuntime(() => net.upscale(lr, ref), { warmup: 0, runs: 1 });
    log('upscaleMs', t.medianMs);
    const prof = await profile(new WithReference(net, ref), [40, 40, 3], { memory: false });
    log('macs', { total: prof.macs, byKernel: prof.macsByKernel });
    expect(net.netG.numParameters()).toBe(18026971);
  } finally {
    tf.dispose([lr, ref]);
    net.dispose();
  }
}, 1_800_000);

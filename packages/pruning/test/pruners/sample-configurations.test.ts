import { expect, it } from 'vitest';
import { InvalidValueError, Rng, resnetCifar } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import type { DependencyGraph } from '../../src/graph/dependency-graph';
import { sampleConfigurations } from '../../src/pruners/sample-configurations';

async function resnet20(): Promise<{ graph: DependencyGraph; dispose: () => void }> {
  const model = resnetCifar(20, { shortcut: 'B', rng: new Rng(1) });
  const graph = await buildDependencyGraph(model, [8, 8, 3]);
  return { graph, dispose: () => model.dispose() };
}

describeBackends('sampleConfigurations', () => {
  it('accepts only configurations whose MACs ratio lies in [0.48, 0.5], with their exact cost, and reports the rejection rate', async () => {
    const { graph, dispose } = await resnet20();
    const r = await expectTensorDelta(() => sampleConfigurations(graph, { budget: { macs: 0.5 }, tolerance: 0.02, count: 12, seed: 1 }), 0);
    expect(r.configurations.length).toBe(12);
    for (const c of r.configurations) {
      expect(c.macsRatio).toBeGreaterThanOrEqual(0.48);
      expect(c.macsRatio).toBeLessThanOrEqual(0.5);
      expect(graph.cost(c.removed)).toEqual(c.cost);
      expect(c.cost.macs / graph.baseline.macs).toBe(c.macsRatio);
      c.keepRatios.forEach((k, g) => {
        if (graph.groups[g].prunable === 0) expect(k).toBe(1);
        else expect(k >= 0.1 && k <= 1).toBe(true);
      });
    }
    expect(r.rejected).toBe(r.tries - 12);
    expect(r.rejectionRate).toBe(r.rejected / r.tries);
    expect(r.rejectionRate).toBeGreaterThan(0.5); // U[0.1, 1] ratios average ~0.3 of the MACs: the window is narrow
    dispose();
  });

  it('meets a MACs and a params budget together', async () => {
    const { graph, dispose } = await resnet20();
    const r = sampleConfigurations(graph, { budget: { macs: 0.6, params: 0.6 }, tolerance: 0.1, count: 5, seed: 2 });
    for (const c of r.configurations) {
      expect(c.macsRatio >= 0.5 && c.macsRatio <= 0.6).toBe(true);
      expect(c.paramsRatio >= 0.5 && c.paramsRatio <= 0.6).toBe(true);
    }
    dispose();
  });

  it('draws the same ratios for the same seed and different ones for another seed', async () => {
    const { graph, dispose } = await resnet20();
    const ratios = (seed: number) => sampleConfigurations(graph, { budget: { macs: 0.5 }, count: 3, seed }).configurations.map((c) => c.keepRatios);
    expect(ratios(7)).toEqual(ratios(7));
    expect(ratios(8)).not.toEqual(ratios(7));
    dispose();
  });

  it('keeps each ratio uniform on [0.1, 1] when the budget is loose: no rejection, Kolmogorov–Smirnov D < 1.36/√n', async () => {
    const { graph, dispose } = await resnet20();
    const n = 1500;
    const r = sampleConfigurations(graph, { budget: { macs: 1 }, tolerance: 1, count: n, seed: 3 });
    expect(r.rejectionRate).toBe(0);
    const g = graph.groups.findIndex((x) => x.prunable > 0);
    const xs = r.configurations.map((c) => c.keepRatios[g]).sort((a, b) => a - b);
    let d = 0;
    xs.forEach((x, i) => {
      const cdf = (x - 0.1) / 0.9;
      d = Math.max(d, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
    });
    expect(d).toBeLessThan(1.36 / Math.sqrt(n)); // 5 % critical value
    dispose();
  });

  it('rescales draws onto the budget when asked (fewer rejections, same window)', async () => {
    const { graph, dispose } = await resnet20();
    const rejection = sampleConfigurations(graph, { budget: { macs: 0.5 }, count: 6, seed: 4 });
    const rescaled = sampleConfigurations(graph, { budget: { macs: 0.5 }, count: 6, seed: 4, strategy: 'rescale' });
    for (const c of rescaled.configurations) expect(c.macsRatio >= 0.48 && c.macsRatio <= 0.5).toBe(true);
    expect(rescaled.rejectionRate).toBeLessThan(rejection.rejectionRate);
    dispose();
  });

  it('throws with the rejection rate when the budget cannot be met in maxTries draws', async () => {
    const { graph, dispose } = await resnet20();
    expect(() => sampleConfigurations(graph, { budget: { macs: 0.05 }, keepRange: [0.9, 1], maxTries: 50, count: 1 })).toThrow(
      /only 0 of 1 configurations met the budget \{"macs":0.05\} ± 0.02 in 50 draws \(rejection rate 1.0000\)/,
    );
    dispose();
  });

  it('rejects bad options, naming them', async () => {
    const { graph, dispose } = await resnet20();
    expect(() => sampleConfigurations(graph, { budget: {} })).toThrow(/budget must set macs or params/);
    expect(() => sampleConfigurations(graph, { budget: { macs: 1.5 } })).toThrow(/budget.macs must be in \(0, 1\]/);
    expect(() => sampleConfigurations(graph, { budget: { flops: 0.5 } as never })).toThrow(/unknown option 'flops'/);
    expect(() => sampleConfigurations(graph, { budget: { macs: 0.5 }, keepRange: [0.8, 0.2] })).toThrow(/keepRange must be \[lo, hi\]/);
    expect(() => sampleConfigurations(graph, { budget: { macs: 0.5 }, count: 0 })).toThrow(InvalidValueError);
    expect(() => sampleConfigurations(graph, { budget: { macs: 0.5 }, strategy: 'scale' as never })).toThrow(/strategy must be 'rejection' or 'rescale'/);
    expect(() => sampleConfigurations(graph, { budget: { macs: 0.5 }, samples: 3 } as never)).toThrow(/unknown option 'samples'/);
    dispose();
  });
});

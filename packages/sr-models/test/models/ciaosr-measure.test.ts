/**
 * Cost figures of CiaoSR (parameters, true MACs, wasm runtime at ×3.5 on a 48×48 input). Slow
 * (minutes): runs only with LAB_MEASURE=1, e.g.
 * `LAB_MEASURE=1 npx vitest run test/models/ciaosr-measure`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backendInfo, initBackend, measureRuntime, profile } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { CiaoSr } from '../../src/models/ciaosr/ciaosr';

const ENABLED = process.env.LAB_MEASURE === '1';
const SKIP = 'cost measurement skipped: set LAB_MEASURE=1 (takes minutes)';

/** Hand count of true MACs at h×w LR and an H×W output (see the report): encoder + non-local + decoder. */
function expectedMacs(encoder: 'rdn' | 'edsr-baseline', h: number, w: number, outH: number, outW: number): number {
  const px = h * w;
  // conv weights without biases: RDN 21,973,952 − 9,472 biases; EDSR 1,220,416 − 2,176 biases
  const enc = (encoder === 'rdn' ? 21973952 - 9472 : 1220416 - 2176) * px;
  const l = (h / 2) * (w / 2);
  const nonLocal = px * 64 * 32 + px * 64 * 64 + l * 64 * 32 + px * l * 288 + 9 * px * l * 256 + px * 64 * 64 * 9;
  // first layers of imnet_k / imnet_v on every LR pixel: (576 + 640)·256
  const projections = px * (576 + 640) * 256;
  // per query: 4 × (imnet_k 492,544 + imnet_v 525,312 − the projected 311,296) + imnet_q 361,216
  const decoder = outH * outW * (4 * (492544 + 525312 - 311296) + 361216);
  return enc + nonLocal + projections + decoder;
}

/** Encoders to measure, comma-separated (`LAB_MEASURE_ENCODERS=rdn`). */
const ENCODERS = (process.env.LAB_MEASURE_ENCODERS ?? 'rdn,edsr-baseline').split(',') as ('rdn' | 'edsr-baseline')[];

(ENABLED ? describe : describe.skip)(ENABLED ? 'CiaoSr cost (wasm)' : `CiaoSr cost (${SKIP})`, () => {
  for (const encoder of ENCODERS) {
    it(`${encoder}: parameters, true MACs and runtime at ×3.5 on 48×48`, async () => {
      await initBackend({ backend: 'wasm' });
      const net = new CiaoSr({ encoder, scale: 3.5 }).eval();
      const p = await profile(net, [48, 48, 3], { memory: false });
      const x = tf.randomUniform([1, 48, 48, 3]);
      // profile() ran the model once already (warm-up).
      const t = await measureRuntime(() => net.call(x), { warmup: 0, runs: 2 });
      // CPU time of one more forward: wasm runs on one thread, so on a shared machine this is
      // closer to the uncontended wall time than runtimeMs.
      const cpu0 = process.cpuUsage();
      const y = net.call(x);
      y.dataSync();
      const cpu = process.cpuUsage(cpu0);
      y.dispose();
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const expected = expectedMacs(encoder, 48, 48, 168, 168);
      console.info(
        JSON.stringify({
          encoder,
          backend: backendInfo(),
          params: net.numParameters(),
          outputShape: p.outputShape,
          macs: p.macs,
          expectedMacs: expected,
          macsByKernel: p.macsByKernel,
          runtimeMs: t,
          cpuMs,
        }),
      );
      expect(p.outputShape).toEqual([1, 168, 168, 3]);
      expect(p.macs).toBe(expected);
      x.dispose();
      net.dispose();
    }, 1_200_000);
  }
});

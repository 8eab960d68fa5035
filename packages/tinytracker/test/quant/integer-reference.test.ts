import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { quantizeMultiplier } from '../../src/quant/fixed-point';
import { runIntegerReference } from '../../src/quant/integer-reference';
import type { QConv2d, QuantizedGraph } from '../../src/quant/quantized-graph';

/** A 1×1 conv, 2 → 2 channels, on a 1×1 image, with hand-chosen integers. */
function handGraph(activation: 'none' | 'relu'): QuantizedGraph {
  const m0 = quantizeMultiplier(0.25);
  const m1 = quantizeMultiplier(0.1);
  const conv: QConv2d = {
    kind: 'conv2d', name: 'conv', input: 0, output: 1, depthwise: false, kernel: [1, 1], stride: [1, 1], pads: [[0, 0], [0, 0]],
    inChannels: 2, outChannels: 2,
    weight: Int8Array.of(10, -127, 5, 127), // HWIO [1,1,2,2]: w[i=0] = [10, −127], w[i=1] = [5, 127]
    weightScales: Float32Array.of(1, 1),
    bias: Int32Array.of(7, 0),
    multiplier: Int32Array.of(m0.multiplier, m1.multiplier),
    shift: Int32Array.of(m0.shift, m1.shift),
    activation,
    activationMin: activation === 'relu' ? -3 : -128,
    activationMax: 127,
    accumulatorBound: 0,
  };
  return { tensors: [[1, 1, 2], [1, 1, 2]], params: [{ scale: 0.5, zeroPoint: 1 }, { scale: 1, zeroPoint: -3 }], ops: [conv], output: 1 };
}

describe('runIntegerReference', () => {
  it('accumulates (x − zp)·w + b in int32 and requantises with double rounding (1×1 conv, hand values)', () => {
    // x = [3, −1], zp 1 → [2, −2]. ch0: 2·10 − 2·5 + 7 = 17; M = 0.25 = 2³⁰·2⁻³²: the high multiply
    // gives 17·2³⁰/2³¹ = 8.5 → 9 (half up), the right shift 9/2 = 4.5 → 5 (away from zero), not
    // round(4.25) = 4 — TFLite's double rounding. 5 + (−3) = 2.
    // ch1: 2·(−127) − 2·127 = −508; M = 0.1: −406.4 → −406, −406/8 = −50.75 → −51; −51 − 3 = −54.
    expect(Array.from(runIntegerReference(handGraph('none'), Int8Array.of(3, -1), 1))).toEqual([2, -54]);
  });

  it('clamps at the fused ReLU minimum (the output zero point)', () => {
    expect(Array.from(runIntegerReference(handGraph('relu'), Int8Array.of(3, -1), 1))).toEqual([2, -3]);
  });

  it('rejects an input of the wrong length and a bad batch', () => {
    expect(() => runIntegerReference(handGraph('none'), Int8Array.of(1, 2, 3), 1)).toThrow(ShapeError);
    expect(() => runIntegerReference(handGraph('none'), Int8Array.of(1, 2, 3), 1)).toThrow(/input must have 2 values \(batch 1 × \[1,1,2\]\), got 3/);
    expect(() => runIntegerReference(handGraph('none'), Int8Array.of(1, 2), 0)).toThrow(InvalidValueError);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, NotAvailableError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { type AttributionMethod, type AttributionOptions, type Target, runModel, selectTarget } from '../../src/core/types';
import { AttributionLab } from '../../src/lab/environment';
import { runFaithfulnessTest, scoreAttributionMap } from '../../src/lab/faithfulness-test';

type Opts = AttributionOptions & Record<string, unknown>;

/** Oracle: the environment's own ground truth (times `scale`), tiled to 3 channels. */
function oracle(env: AttributionLab, scale = 1, signed = true): AttributionMethod<Opts> {
  return {
    name: scale === 1 ? 'oracle' : `oracle×${scale}`,
    signed,
    async attribute(_model, x, opts = {}) {
      const g = env.groundTruth(x, { target: opts.target as number[] | undefined });
      const attributions = tf.tidy(() => tf.tile(signed ? tf.mul(g, scale) : tf.abs(tf.mul(g, scale)), [1, 1, 1, 3]));
      g.dispose();
      return { attributions };
    },
  };
}

/** Uniform noise in [−1, 1) from Rng(seed), independent of the model. */
const noise: AttributionMethod<Opts> = {
  name: 'noise',
  signed: true,
  async attribute(_model, x, opts = {}) {
    return { attributions: new Rng(opts.seed ?? 0).uniformTensor(x.shape, -1, 1) };
  },
};

/** Plain gradient (`times = false`) or input × gradient of the target output, via tf.grad. */
function gradient(times: boolean): AttributionMethod<Opts> {
  return {
    name: times ? 'input-x-gradient' : 'gradient',
    signed: true,
    async attribute(model, x, opts = {}) {
      const attributions = tf.tidy(() => {
        const g = tf.grad((xi: tf.Tensor) => tf.sum(selectTarget(runModel(model, xi), opts.target as Target | undefined)))(x);
        return times ? tf.mul(g, x) : g;
      });
      return { attributions };
    },
  };
}

describe('scoreAttributionMap', () => {
  const gt = [1, 1, 0, 0, -1, 0];
  const a = [5, 0, 3, -1, -2, 0];

  it('scores a = (5,0,3,−1,−2,0) against gt = (+,+,0,0,−,0) as derived by hand (signed)', () => {
    const s = scoreAttributionMap(a, gt);
    expect(s.positivePrecision).toBe(0.5); // top-2 = {0, 2}, one hit
    expect(s.positiveRecall).toBe(0.5);
    expect(s.positiveAuc).toBeCloseTo(6.5 / 8, 12); // pairs: 5 beats 4; 0 beats −1, −2, ties 0 → 2.5
    expect(s.negativePrecision).toBe(1); // top-1 of −a = pixel 4
    expect(s.negativeRecall).toBe(1);
    expect(s.negativeAuc).toBe(1);
    expect(s.signAgreement).toBeCloseTo(2 / 3, 12); // pixel 1 has a = 0
  });

  it('scores the same maps by |a| against the relevant set in the unsigned scenario', () => {
    const s = scoreAttributionMap(a, gt, { scenario: 'unsigned' });
    expect(s.positivePrecision).toBeCloseTo(2 / 3, 12); // top-3 of |a| = {0, 2, 4}; relevant {0, 1, 4}
    expect(s.positiveRecall).toBeCloseTo(2 / 3, 12);
    expect(s.positiveAuc).toBeCloseTo(5.5 / 9, 12);
    expect([s.negativePrecision, s.negativeRecall, s.negativeAuc, s.signAgreement].every(Number.isNaN)).toBe(true);
  });

  it('gives precision and recall 0 when no pixel has a positive score, NaN when there are no features', () => {
    const s = scoreAttributionMap([-1, -1, -1], [1, 0, 0]);
    expect([s.positivePrecision, s.positiveRecall]).toEqual([0, 0]);
    expect(Number.isNaN(s.negativePrecision)).toBe(true);
    const none = scoreAttributionMap([1, 2, 3], [0, 0, 0]);
    expect([none.positivePrecision, none.positiveAuc, none.signAgreement].every(Number.isNaN)).toBe(true);
  });

  it('breaks ties of a constant map by a seeded random order: reproducible per seed, varying across seeds', () => {
    const run = (seed: number): number => scoreAttributionMap([1, 1, 1, 1], [1, 0, 0, 0], { seed }).positivePrecision;
    expect(run(7)).toBe(run(7));
    const outcomes = new Set(Array.from({ length: 30 }, (_, s) => run(s)));
    expect(outcomes).toEqual(new Set([0, 1]));
    expect(scoreAttributionMap([1, 1, 1, 1], [1, 0, 0, 0]).positiveAuc).toBe(0.5); // ties count ½
  });

  it('throws ShapeError for maps of different lengths and InvalidValueError for a bad scenario', () => {
    expect(() => scoreAttributionMap([1, 2], [1])).toThrow(ShapeError);
    expect(() => scoreAttributionMap([1], [1], { scenario: 'abs' as never })).toThrow(/scenario must be 'signed' or 'unsigned'/);
  });
});

describeBackends('runFaithfulnessTest', () => {
  it('passes the ground-truth oracle with precision, recall, AUC and sign agreement 1, leaking nothing', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const r = await expectTensorDelta(() => runFaithfulnessTest(oracle(env), env, { samples: 6, batchSize: 4 }), 0);
    expect(r.passed).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.scenario).toBe('signed');
    expect(r.mean).toEqual({
      positivePrecision: 1,
      positiveRecall: 1,
      positiveAuc: 1,
      negativePrecision: 1,
      negativeRecall: 1,
      negativeAuc: 1,
      signAgreement: 1,
    });
    expect(r.perSample).toHaveLength(6);
    env.dispose();
  });

  it('fails uniform noise: mean positive precision below 0.3', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const r = await expectTensorDelta(() => runFaithfulnessTest(noise, env, { samples: 6 }), 0);
    expect(r.passed).toBe(false);
    expect(r.mean.positivePrecision).toBeLessThan(0.3);
    expect(r.failures.some((f) => f.startsWith('positive precision'))).toBe(true);
    env.dispose();
  });

  it('fails the sign-flipped oracle (precision 0, sign agreement 0) though |map| is perfect', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const r = await runFaithfulnessTest(oracle(env, -1), env, { samples: 4 });
    expect(r.passed).toBe(false);
    expect([r.mean.positivePrecision, r.mean.negativePrecision, r.mean.signAgreement]).toEqual([0, 0, 0]);
    const u = await runFaithfulnessTest(oracle(env, -1), env, { samples: 4, scenario: 'unsigned' });
    expect(u.passed).toBe(true);
    env.dispose();
  });

  it('scores an unsigned oracle in the unsigned scenario (passes) and fails it when forced to signed', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const method = oracle(env, 1, false);
    const r = await runFaithfulnessTest(method, env, { samples: 4 });
    expect(r.scenario).toBe('unsigned');
    expect(r.passed).toBe(true);
    expect(r.mean.positivePrecision).toBe(1);
    expect(Number.isNaN(r.mean.negativeRecall)).toBe(true);
    const forced = await runFaithfulnessTest(method, env, { samples: 4, scenario: 'signed' });
    expect(forced.passed).toBe(false);
    expect(forced.mean.negativeRecall).toBe(0); // |gt| is never negative
    env.dispose();
  });

  it('fails the plain gradient (channel sum k·W·(2|v|−3) = −1 on red) and passes input × gradient (k·|v|·W), as derived', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const g = await runFaithfulnessTest(gradient(false), env, { samples: 6, keepMaps: 1 });
    expect(g.passed).toBe(false);
    expect(g.mean.positivePrecision).toBe(0); // no pixel gets a positive score
    // sample 0 is class 0: red pixels +1·(2·1 − 3) = −1 (wrong sign), cyan −1·(2·2 − 3) = −1, others 0
    const data = env.generate(1);
    expect(Array.from(g.maps![0])).toEqual(Array.from(data.colours, (c) => (c === 1 || c === 6 ? -1 : 0)));
    const ixg = await runFaithfulnessTest(gradient(true), env, { samples: 6, keepMaps: 1 });
    expect(ixg.passed).toBe(true);
    // sample 0 is class 0: red pixels +1·1·1 = 1, cyan pixels −1·1·2 = −2, every other pixel 0
    const expected = Array.from(data.colours, (c) => (c === 1 ? 1 : c === 6 ? -2 : 0));
    expect(Array.from(ixg.maps![0])).toEqual(expected);
    env.dispose();
  });

  it('gives identical per-sample scores for batchSize 1, 3 and 7', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const method = gradient(true);
    const rs = [];
    for (const batchSize of [1, 3, 7]) rs.push(await runFaithfulnessTest(method, env, { samples: 7, batchSize }));
    expect(rs[1].perSample).toEqual(rs[0].perSample);
    expect(rs[2].perSample).toEqual(rs[0].perSample);
    env.dispose();
  });

  it('passes target, seed and methodOptions to every call, and no target for regression', async () => {
    const seen: Opts[] = [];
    const spy: AttributionMethod<Opts> = {
      name: 'spy',
      signed: true,
      async attribute(_m, x, opts = {}) {
        seen.push({ ...opts });
        return { attributions: tf.zerosLike(x) };
      },
    };
    const env = new AttributionLab({ imageSize: 16 });
    await runFaithfulnessTest(spy, env, { samples: 4, batchSize: 3, seed: 9, methodOptions: { baselines: 0.5 } });
    expect(seen).toEqual([
      { seed: 9, baselines: 0.5, target: [0, 1, 2] },
      { seed: 9, baselines: 0.5, target: [0] },
    ]);
    env.dispose();
    const reg = new AttributionLab({ task: 'regression', imageSize: 16 });
    seen.length = 0;
    const r = await runFaithfulnessTest(oracle(reg), reg, { samples: 3 });
    expect(r.passed).toBe(true);
    await runFaithfulnessTest(spy, reg, { samples: 2 });
    expect(seen).toEqual([{ seed: 0 }]);
    reg.dispose();
  });

  it('frees the batch when the method throws, and the returned map when it has the wrong shape', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const throwing: AttributionMethod<Opts> = {
      name: 'throws',
      signed: true,
      async attribute() {
        throw new NotAvailableError('throws: not here');
      },
    };
    const wrong: AttributionMethod<Opts> = {
      name: 'wrong',
      signed: true,
      async attribute(_m, x) {
        return { attributions: tf.zeros([x.shape[0], 8, 8, 3]), delta: tf.zeros([x.shape[0]]) as tf.Tensor1D };
      },
    };
    await expect(expectTensorDelta(() => runFaithfulnessTest(throwing, env, { samples: 2 }))).rejects.toThrow(NotAvailableError);
    await expect(expectTensorDelta(() => runFaithfulnessTest(wrong, env, { samples: 2 }))).rejects.toThrow(/must return attributions of shape \[2, 16, 16, C\]/);
    env.dispose();
  });

  it('fails a method with non-finite values, counting them as 0', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const nan: AttributionMethod<Opts> = { name: 'nan', signed: true, attribute: async (_m, x) => ({ attributions: tf.fill(x.shape, NaN) }) };
    const r = await runFaithfulnessTest(nan, env, { samples: 2 });
    expect(r.passed).toBe(false);
    expect(r.failures).toContain(`${2 * 256 * 1} non-finite attribution values (counted as 0)`);
    env.dispose();
  });

  it('throws InvalidValueError naming the option for invalid options', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const m = oracle(env);
    const bad: [object, RegExp][] = [
      [{ sample: 2 }, /unknown option 'sample'/],
      [{ samples: 0 }, /samples must be a positive integer/],
      [{ batchSize: 1.5 }, /batchSize must be a positive integer/],
      [{ scenario: 'abs' }, /scenario must be/],
      [{ methodOptions: { target: 1 } }, /methodOptions must not contain target/],
      [{ thresholds: { precision: 2 } }, /thresholds.precision must be a number in \[0, 1\]/],
      [{ thresholds: { auc: 0.5 } }, /unknown option 'auc'/],
      [{ keepMaps: 5, samples: 2 }, /keepMaps must be an integer in \[0, 2\]/],
    ];
    for (const [opts, msg] of bad) {
      await expect(expectTensorDelta(() => runFaithfulnessTest(m, env, opts as never)), JSON.stringify(opts)).rejects.toThrow(msg);
    }
    await expect(runFaithfulnessTest({} as never, env)).rejects.toThrow(InvalidValueError);
    await expect(runFaithfulnessTest(m, {} as never)).rejects.toThrow(/env must be an AttributionLab/);
    env.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  NotAvailableError,
  WorkerTaskError,
  createWorkerPool,
  initBackend,
  modelSpec,
  modelTaskUrl,
  payloadToTensor,
  tensorToPayload,
  type ModelTaskOutput,
} from '../../src/index';
import { expectTensorDelta } from '../helpers';
// The fixture is imported here too: vitest resolves its `@lab/tensor` to the sources, the workers to dist.
import { createTinyNet } from './fixtures/tiny-net.mjs';

const TASK = new URL('./fixtures/pool-task.mjs', import.meta.url);
const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** A counter every live worker of the fixture task increments every 2 ms. */
function heartbeat(): { buffer: SharedArrayBuffer; read(): number } {
  const buffer = new SharedArrayBuffer(4);
  const view = new Int32Array(buffer);
  return { buffer, read: () => Atomics.load(view, 0) };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts that no worker of the fixture task still runs: the heartbeat no longer moves. */
async function expectThreadsGone(beat: { read(): number }): Promise<void> {
  const before = beat.read();
  await sleep(60);
  expect(beat.read(), 'a worker thread is still running').toBe(before);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`the pool tests run the built package in workers: run \`pnpm --filter @lab/tensor build\` first (${dist} is missing)`);
  await initBackend();
});

describe('createWorkerPool', () => {
  it('maps items over 2 workers and returns results in order: value² + offset', async () => {
    const pool = await createWorkerPool<{ value: number }, { value: number; threadId: number }>({ task: TASK, size: 2, init: { offset: 3 }, backend: 'none' });
    try {
      const items = Array.from({ length: 7 }, (_, i) => ({ value: i - 2 }));
      const out = await pool.map(items);
      // (i − 2)² + 3 for i = 0..6
      expect(out.map((o) => o.value)).toEqual([7, 4, 3, 4, 7, 12, 19]);
      expect(pool.size).toBe(2);
      expect(pool.liveWorkers).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('runs its workers on 2 distinct threads, neither the main one', async () => {
    const pool = await createWorkerPool<{ value: number; wait: number }, { threadId: number }>({ task: TASK, size: 2, backend: 'none' });
    try {
      // Two slow items at once: each worker takes one.
      const out = await pool.map([{ value: 1, wait: 100 }, { value: 2, wait: 100 }]);
      const ids = new Set(out.map((o) => o.threadId));
      expect(ids.size).toBe(2);
      expect(ids.has(0)).toBe(false);
      expect([...ids].sort()).toEqual([...pool.threadIds].sort());
    } finally {
      await pool.close();
    }
  });

  it('starts a wasm backend per worker and moves tensors as payloads: x² + 1, exact', async () => {
    const pool = await createWorkerPool<{ x: ReturnType<typeof tensorToPayload> }, { y: ReturnType<typeof tensorToPayload>; backend: string; tensors: number }>({
      task: TASK,
      size: 2,
      init: { offset: 1 },
    });
    try {
      const x = new Float32Array([0.5, -1.25, 3, 1e-3, 7, -0]);
      const out = await expectTensorDelta(() => pool.map([{ x: { shape: [2, 3], dtype: 'float32', data: x.slice() } }, { x: { shape: [6], dtype: 'float32', data: x.slice() } }], { transfer: true }));
      // float32(x·x) + 1, computed here in doubles then rounded: exact for these values.
      const expected = Float32Array.from(x, (v) => Math.fround(Math.fround(v * v) + 1));
      for (const o of out) {
        expect(o.backend).toBe('wasm');
        expect(o.tensors).toBe(0);
        expect(o.y.data).toEqual(expected);
      }
      expect(out[0].y.shape).toEqual([2, 3]);
      expect(out[1].y.shape).toEqual([6]);
    } finally {
      await pool.close();
    }
  });

  it('transfer: true detaches the caller\'s buffers; the default copies them', async () => {
    const pool = await createWorkerPool<{ value: number; buf: Float32Array }, unknown>({ task: TASK, size: 1, backend: 'none' });
    try {
      const kept = new Float32Array(8);
      const moved = new Float32Array(8);
      await pool.map([{ value: 1, buf: kept }]);
      await pool.map([{ value: 1, buf: moved }], { transfer: true });
      expect(kept.length).toBe(8);
      expect(moved.length).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('an exception in run rejects with WorkerTaskError naming the task and item, and ends every worker', async () => {
    const beat = heartbeat();
    const pool = await createWorkerPool({ task: TASK, size: 2, init: { heartbeat: beat.buffer }, backend: 'none' });
    await sleep(20);
    expect(beat.read()).toBeGreaterThan(0);
    const e = await rejection(pool.map([{ value: 1 }, { value: 2 }, { throw: 'NaN' }, { value: 4, wait: 50 }]));
    expect(e).toBeInstanceOf(WorkerTaskError);
    const err = e as WorkerTaskError;
    expect(err.task).toBe('pool-task.mjs');
    expect(err.item).toBe(2);
    expect(err.phase).toBe('run');
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.message).toContain('worker task pool-task.mjs: run failed for item 2');
    expect(err.message).toContain('InvalidValueError: pool-test run: value must be finite, got NaN');
    expect(pool.liveWorkers).toBe(0);
    expect(pool.closed).toBe(true);
    await expectThreadsGone(beat);
    // The pool stays closed, and closing again is safe.
    await expect(pool.map([{ value: 1 }])).rejects.toBe(err);
    await pool.close();
    await pool.close();
  });

  it('a worker that dies in run rejects with WorkerTaskError carrying the exit code and item', async () => {
    const beat = heartbeat();
    const pool = await createWorkerPool({ task: TASK, size: 2, init: { heartbeat: beat.buffer }, backend: 'none' });
    const e = await rejection(pool.map([{ value: 1, wait: 30 }, { exit: 7 }, { value: 3 }]));
    expect(e).toBeInstanceOf(WorkerTaskError);
    const err = e as WorkerTaskError;
    expect(err.item).toBe(1);
    expect(err.phase).toBe('run');
    expect(err.cause).toEqual({ exitCode: 7 });
    expect(err.code).toBe('WORKER');
    expect(err.message).toContain('the worker exited with code 7');
    expect(pool.liveWorkers).toBe(0);
    await expectThreadsGone(beat);
  });

  it('an exception in setup rejects the start with WorkerTaskError (phase setup) and ends every worker', async () => {
    const beat = heartbeat();
    const e = await rejection(createWorkerPool({ task: TASK, size: 2, init: { heartbeat: beat.buffer, failSetup: true }, backend: 'none' }));
    expect(e).toBeInstanceOf(WorkerTaskError);
    const err = e as WorkerTaskError;
    expect(err.phase).toBe('setup');
    expect(err.item).toBeUndefined();
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.message).toContain('pool-test setup: failSetup was requested');
    await expectThreadsGone(beat);
  });

  it('a worker that exits in setup rejects the start with its exit code', async () => {
    const e = await rejection(createWorkerPool({ task: TASK, size: 2, init: { exitInSetup: 5 }, backend: 'none' }));
    expect(e).toBeInstanceOf(WorkerTaskError);
    expect((e as WorkerTaskError).phase).toBe('start');
    expect((e as WorkerTaskError).cause).toEqual({ exitCode: 5 });
  });

  it('a module that defines no task, or does not parse, fails to start with WorkerTaskError', async () => {
    const none = await rejection(createWorkerPool({ task: new URL('./fixtures/no-task.mjs', import.meta.url), size: 1, backend: 'none' }));
    expect(none).toBeInstanceOf(WorkerTaskError);
    expect((none as WorkerTaskError).message).toContain('no-task.mjs: start failed for worker 0: the worker exited with code 0');
    const broken = await rejection(createWorkerPool({ task: new URL('./fixtures/syntax-error.mjs', import.meta.url), size: 1, backend: 'none' }));
    expect(broken).toBeInstanceOf(WorkerTaskError);
    expect((broken as WorkerTaskError).message).toContain('SyntaxError');
    const missing = await rejection(createWorkerPool({ task: new URL('./fixtures/absent.mjs', import.meta.url), size: 1, backend: 'none' }));
    expect(missing).toBeInstanceOf(WorkerTaskError);
    expect((missing as WorkerTaskError).phase).toBe('start');
  });

  it('close is idempotent, ends the threads, and a closed pool rejects map with NotAvailableError', async () => {
    const beat = heartbeat();
    const pool = await createWorkerPool({ task: TASK, size: 2, init: { heartbeat: beat.buffer }, backend: 'none' });
    await Promise.all([pool.close(), pool.close()]);
    await pool.close();
    expect(pool.liveWorkers).toBe(0);
    await expectThreadsGone(beat);
    await expect(pool.map([{ value: 1 }])).rejects.toBeInstanceOf(NotAvailableError);
  });

  it('Symbol.asyncDispose closes the pool', async () => {
    const pool = await createWorkerPool({ task: TASK, size: 1, backend: 'none' });
    await pool[Symbol.asyncDispose]();
    expect(pool.liveWorkers).toBe(0);
    expect(pool.closed).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, '2'])('size=%s throws InvalidValueError naming size', async (size) => {
    await expect(createWorkerPool({ task: TASK, size: size as number })).rejects.toThrow(InvalidValueError);
    await expect(createWorkerPool({ task: TASK, size: size as number })).rejects.toThrow(/createWorkerPool: size must be an integer >= 1/);
  });

  it('rejects a missing task, an unknown option and a bad backend with InvalidValueError', async () => {
    await expect(createWorkerPool({} as never)).rejects.toThrow(/createWorkerPool: task must be/);
    await expect(createWorkerPool({ task: TASK, threads: 2 } as never)).rejects.toThrow(/unknown option 'threads'/);
    await expect(createWorkerPool({ task: TASK, backend: 'webgl' as never })).rejects.toThrow(/backend must be/);
  });
});

describe('modelTaskUrl', () => {
  let spec: ReturnType<typeof modelSpec>;
  let net: ReturnType<typeof createTinyNet>;
  beforeAll(() => {
    net = createTinyNet(4);
    spec = modelSpec(net, { module: new URL('./fixtures/tiny-net.mjs', import.meta.url), export: 'createTinyNet', args: [4] });
  });
  afterAll(() => net.dispose());

  it('rebuilds the model in each worker: outputs equal model.call here bit for bit', async () => {
    const pool = await createWorkerPool<{ x: ReturnType<typeof tensorToPayload> }, ModelTaskOutput>({ task: modelTaskUrl(), size: 2, init: spec });
    try {
      const batches = [0, 1, 2].map((s) => tf.randomUniform([3, 6, 6, 3], -1, 1, 'float32', s + 11));
      const expected = batches.map((b) => tf.tidy(() => net.call(b)));
      const out = await expectTensorDelta(() => pool.map(batches.map((b) => ({ x: tensorToPayload(b) }))));
      out.forEach((o, i) => {
        expect(o.y.shape).toEqual([3, 5]);
        expect(o.y.data).toEqual(expected[i].dataSync());
      });
      tf.dispose([...batches, ...expected]);
    } finally {
      await pool.close();
    }
  });

  it('a state dict that does not fit the rebuilt model fails setup with CheckpointError code', async () => {
    const bad = { ...spec, args: [5] };
    const e = await rejection(createWorkerPool({ task: modelTaskUrl(), size: 1, init: bad }));
    expect(e).toBeInstanceOf(WorkerTaskError);
    expect((e as WorkerTaskError).code).toBe('CHECKPOINT');
    expect((e as WorkerTaskError).message).toContain('shape mismatch');
  });
});

describe('tensorToPayload / payloadToTensor', () => {
  it('round-trips float32, int32 and bool tensors exactly', async () => {
    const ts = [tf.tensor([[1.5, -2], [3, 4e-8]]), tf.tensor([1, -7, 3], [3], 'int32'), tf.tensor([1, 0, 1], [3], 'bool')];
    await expectTensorDelta(() => {
      for (const t of ts) {
        const back = payloadToTensor(tensorToPayload(t));
        expect(back.dtype).toBe(t.dtype);
        expect(back.shape).toEqual(t.shape);
        expect(back.dataSync()).toEqual(t.dataSync());
        back.dispose();
      }
    });
    tf.dispose(ts);
  });

  it('rejects a payload whose data length does not match its shape with ShapeError', () => {
    expect(() => payloadToTensor({ shape: [2, 2], dtype: 'float32', data: new Float32Array(3) })).toThrow(/payload.data must hold 4 values for shape \[2,2\], got 3/);
    expect(() => payloadToTensor({ shape: [1], dtype: 'float32', data: new Int32Array(1) as never })).toThrow(/must be a Float32Array/);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidValueError, NotAvailableError } from '../../src/errors';
import { backendInfo, initBackend } from '../../src/backend/index';
import { defaultBrowserWasmPaths } from '../../src/backend/init-backend';

// One process per test file (vitest forks), so this file sees the module state from scratch.
describe('initBackend', () => {
  it('reports no backend before the first call', () => {
    expect(backendInfo()).toBeUndefined();
  });

  it('starts wasm by default with SIMD and one thread in Node', async () => {
    const info = await initBackend();
    // Node 20's V8 runs wasm SIMD; Node's tfjs wasm backend has no threads (toolchain.md).
    expect(info).toEqual({ backend: 'wasm', simd: true, threads: 1, multiThread: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(Object.isFrozen(info)).toBe(true);
    expect(backendInfo()).toBe(info);
  });

  it('registers the wasm training kernels and the gradients before returning', async () => {
    await initBackend();
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    }
    for (const name of ['Conv2D', 'DepthwiseConv2dNative', 'DepthToSpace', 'Relu', 'Mean']) {
      expect(tf.getGradient(name), name).toBeDefined();
    }
  });

  it('is idempotent: a second call returns the same info and keeps the backend instance', async () => {
    const first = await initBackend();
    const instance = tf.engine().registry.wasm;
    const second = await initBackend({ backend: 'wasm' });
    expect(second).toBe(first);
    expect(tf.engine().registry.wasm).toBe(instance);
  });

  it('serialises concurrent calls onto one start', async () => {
    const [a, b] = await Promise.all([initBackend(), initBackend()]);
    expect(a).toBe(b);
  });

  describe('switching', () => {
    afterEach(() => initBackend());

    it('switches to cpu on request and back to the same wasm info', async () => {
      const wasm = await initBackend();
      const cpu = await initBackend({ backend: 'cpu' });
      expect(cpu).toEqual({ backend: 'cpu', simd: false, threads: 1, multiThread: false });
      expect(tf.getBackend()).toBe('cpu');
      expect(backendInfo()).toBe(cpu);
      expect(await initBackend()).toBe(wasm);
      expect(tf.getBackend()).toBe('wasm');
    });
  });

  it('rejects options it cannot apply once wasm runs', async () => {
    await initBackend();
    await expect(initBackend({ threads: 3 })).rejects.toThrow(NotAvailableError);
    await expect(initBackend({ threads: 3 })).rejects.toThrow(/threads cannot change/);
    await expect(initBackend({ wasmPaths: 'https://example.org/wasm/' })).rejects.toThrow(/wasmPaths cannot change/);
    // The running thread count is accepted.
    await expect(initBackend({ threads: 1 })).resolves.toBe(backendInfo());
  });

  it.each([
    [{ backnd: 'wasm' }, /unknown option 'backnd'/],
    [{ backend: 'webgl' }, /backend must be 'wasm' or 'cpu', got "webgl"/],
    [{ threads: 0 }, /threads must be a positive integer, got 0/],
    [{ threads: 1.5 }, /threads must be a positive integer, got 1.5/],
    [{ backend: 'cpu', threads: 2 }, /threads applies to the 'wasm' backend only/],
    [{ backend: 'cpu', wasmPaths: '/x/' }, /wasmPaths applies to the 'wasm' backend only/],
    [{ wasmPaths: '' }, /wasmPaths must be a non-empty/],
    [{ wasmPaths: 3 }, /wasmPaths must be a folder URL or a map/],
    [{ wasmPaths: { 'tfjs-backend-wasm.wasm': '/a.wasm' } }, /missing tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm/],
    [{ wasmPaths: { 'x.wasm': '/a.wasm' } }, /wasmPaths keys must be/],
  ])('rejects %j with InvalidValueError', async (options, message) => {
    const before = tf.getBackend();
    const call = initBackend(options as never);
    await expect(call).rejects.toThrow(InvalidValueError);
    await expect(call).rejects.toThrow(message);
    expect(tf.getBackend()).toBe(before);
  });
});

describe('defaultBrowserWasmPaths', () => {
  it('is undefined in Node', () => {
    expect(defaultBrowserWasmPaths()).toBeUndefined();
  });

  it('points at the three binaries next to the module in a browser', () => {
    const env = tf.env();
    const saved = { IS_NODE: env.getBool('IS_NODE'), IS_BROWSER: env.getBool('IS_BROWSER') };
    env.set('IS_NODE', false);
    env.set('IS_BROWSER', true);
    try {
      const here = new URL('./', new URL('../../src/backend/init-backend.ts', import.meta.url)).href;
      expect(defaultBrowserWasmPaths()).toEqual({
        'tfjs-backend-wasm.wasm': `${here}tfjs-backend-wasm.wasm`,
        'tfjs-backend-wasm-simd.wasm': `${here}tfjs-backend-wasm-simd.wasm`,
        'tfjs-backend-wasm-threaded-simd.wasm': `${here}tfjs-backend-wasm-threaded-simd.wasm`,
      });
    } finally {
      env.set('IS_NODE', saved.IS_NODE);
      env.set('IS_BROWSER', saved.IS_BROWSER);
    }
  });
});

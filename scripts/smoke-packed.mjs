#!/usr/bin/env node
// Smoke test of the *built* packages: for each workspace package, `pnpm pack` it, install the
// tarball (with the tarballs of the workspace packages it depends on, and its peer dependencies)
// into an empty folder with npm, and import it from plain Node as ESM and as CJS, calling one
// real function. Tests on `src` can pass while the built package is broken; this catches that.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const packDir = mkdtempSync(join(tmpdir(), 'lab-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

// What each package's smoke test calls. A package that exports nothing yet only checks that it loads.
const CHECKS = {
  '@lab/tensor': {
    esm: `
      import * as tf from '@tensorflow/tfjs-core';
      import { initBackend, Conv2d, Rng } from '@lab/tensor';
      const info = await initBackend();
      if (info.backend !== 'wasm') throw new Error('expected wasm, got ' + info.backend);
      const conv = new Conv2d(3, 4, 3, { padding: 1 });
      const x = new Rng(1).normalTensor([1, 8, 8, 3]);
      const dw = tf.variable(new Rng(2).normalTensor([3, 3, 4, 1]));
      // conv, depthwise conv and depth-to-space: exercises the wasm gradient kernels lab registers.
      const loss = () => tf.depthToSpace(tf.depthwiseConv2d(conv.call(x), dw, 1, 'same'), 2).square().mean();
      const { value, grads } = tf.variableGrads(loss);
      if (Object.keys(grads).length !== 3) throw new Error('expected 3 gradients');
      console.log('esm ok', info.backend, 'loss', value.dataSync()[0].toFixed(4));
    `,
    cjs: `
      const tf = require('@tensorflow/tfjs-core');
      const { initBackend, Conv2d, Rng } = require('@lab/tensor');
      initBackend().then((info) => {
        const conv = new Conv2d(3, 4, 3, { padding: 1 });
        const x = new Rng(1).normalTensor([1, 8, 8, 3]);
        const { grads } = tf.variableGrads(() => conv.call(x).square().mean());
        if (Object.keys(grads).length !== 2) throw new Error('expected 2 gradients');
        console.log('cjs ok', info.backend);
      }).catch((e) => { console.error(e); process.exit(1); });
    `,
  },
};

// The worker pool from the packed package: 2 worker_threads rebuild a conv layer from its spec (the
// ESM entry and dist/model-task.js, also from the CJS build) and must return this thread's output exactly.
const POOL_CHECK = (mod) => `
  const tf = ${mod === 'esm' ? "await import('@tensorflow/tfjs-core')" : "require('@tensorflow/tfjs-core')"};
  const lab = ${mod === 'esm' ? "await import('@lab/tensor')" : "require('@lab/tensor')"};
  await lab.initBackend();
  const conv = new lab.Conv2d(3, 4, 3, { padding: 1 });
  const spec = lab.modelSpec(conv, { module: lab.tensorEntryUrl(), export: 'Conv2d', args: [3, 4, 3, { padding: 1 }] });
  const pool = await lab.createWorkerPool({ task: lab.modelTaskUrl(), size: 2, init: spec });
  try {
    const xs = [1, 2, 3].map((s) => new lab.Rng(s).normalTensor([1, 5, 5, 3]));
    const out = await pool.map(xs.map((x) => ({ x: lab.tensorToPayload(x) })));
    xs.forEach((x, i) => {
      const here = conv.call(x).dataSync();
      if (here.length !== out[i].y.data.length || here.some((v, j) => v !== out[i].y.data[j])) throw new Error('pool output differs at item ' + i);
    });
  } finally {
    await pool.close();
  }
  if (pool.liveWorkers !== 0) throw new Error('workers still running after close');
  console.log('${mod} ok pool');
`;
CHECKS['@lab/tensor'].esm += `{ ${POOL_CHECK('esm')} }`;
CHECKS['@lab/tensor'].cjs += `(async () => { ${POOL_CHECK('cjs')} })().catch((e) => { console.error(e); process.exit(1); });`;

// Integrated Gradients of f(x) = Σ x² from a zero baseline is exactly x² per feature.
const IG_CHECK = (mod) => `
  const tf = ${mod === 'esm' ? "await import('@tensorflow/tfjs-core')" : "require('@tensorflow/tfjs-core')"};
  const { initBackend } = ${mod === 'esm' ? "await import('@lab/tensor')" : "require('@lab/tensor')"};
  const { IntegratedGradients } = ${mod === 'esm' ? "await import('@lab/attribution')" : "require('@lab/attribution')"};
  await initBackend();
  const x = tf.tensor2d([[1, 2, 3]]);
  const { attributions } = await new IntegratedGradients({ steps: 8 }).attribute((v) => tf.sum(tf.square(v), 1), x);
  const got = Array.from(attributions.dataSync()).map((v) => v.toFixed(4)).join(',');
  if (got !== '1.0000,4.0000,9.0000') throw new Error('IG gave ' + got);
  console.log('${mod} ok IG', got);
  // IG with 2 workers that rebuild a Linear layer (dist/attribution-task.js) equals this thread's IG.
  const lab = ${mod === 'esm' ? "await import('@lab/tensor')" : "require('@lab/tensor')"};
  const { createAttributionWorkers } = ${mod === 'esm' ? "await import('@lab/attribution')" : "require('@lab/attribution')"};
  const lin = new lab.Linear(4, 3);
  const workers = await createAttributionWorkers({ model: lab.modelSpec(lin, { module: lab.tensorEntryUrl(), export: 'Linear', args: [4, 3] }), size: 2 });
  try {
    const xs = tf.tensor2d([[1, -2, 3, 0.5], [0.25, 1, -1, 2]]);
    const ig2 = new IntegratedGradients({ steps: 6 });
    const one = (await ig2.attribute(lin, xs, { target: [0, 2], batchSize: 4 })).attributions.dataSync();
    const par = (await ig2.attribute(lin, xs, { target: [0, 2], batchSize: 4, workers })).attributions.dataSync();
    if (one.some((v, i) => v !== par[i])) throw new Error('IG with workers differs: ' + Array.from(par) + ' vs ' + Array.from(one));
  } finally {
    await workers.close();
  }
  console.log('${mod} ok IG workers');
`;
CHECKS['@lab/attribution'] = {
  esm: IG_CHECK('esm'),
  cjs: `(async () => { ${IG_CHECK('cjs')} })().catch((e) => { console.error(e); process.exit(1); });`,
};

// @lab/onnx: export a small conv net (conv, ReLU, pixel shuffle) at 8×8, run it in onnxruntime-node
// at 10×6 (symbolic H and W), and compare with tfjs.
const ONNX_CHECK = (mod) => `
  const tf = ${mod === 'esm' ? "await import('@tensorflow/tfjs-core')" : "require('@tensorflow/tfjs-core')"};
  const { initBackend, Conv2d, ReLU, Sequential, PixelShuffle, Rng } = ${mod === 'esm' ? "await import('@lab/tensor')" : "require('@lab/tensor')"};
  const { exportOnnx, OnnxSession } = ${mod === 'esm' ? "await import('@lab/onnx')" : "require('@lab/onnx')"};
  await initBackend();
  const rng = new Rng(3);
  const net = new Sequential(new Conv2d(3, 8, 3, { padding: 1, rng }), new ReLU(), new Conv2d(8, 12, 3, { padding: 1, rng }), new PixelShuffle(2));
  const probe = tf.zeros([1, 8, 8, 3]);
  const exported = exportOnnx(net, probe);
  const session = await OnnxSession.create(exported);
  const x = rng.uniformTensor([1, 10, 6, 3]);
  const y = await session.run(x);
  const ref = net.eval().call(x);
  if (y.shape.join() !== '1,20,12,3') throw new Error('onnx output shape ' + y.shape);
  const err = tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0];
  if (!(err < 1e-4)) throw new Error('onnx differs from tfjs by ' + err);
  await session.release();
  console.log('${mod} ok onnx', exported.bytes.length, 'bytes, max error', err.toExponential(1));
`;
CHECKS['@lab/onnx'] = {
  esm: ONNX_CHECK('esm'),
  cjs: `(async () => { ${ONNX_CHECK('cjs')} })().catch((e) => { console.error(e); process.exit(1); });`,
};
// Packages whose dependencies must install without their install scripts (onnxruntime-node's
// script downloads binaries; its CPU library ships inside the package).
const IGNORE_SCRIPTS = new Set(['@lab/onnx']);

const pkgs = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.json.private);
const byName = new Map(pkgs.map((p) => [p.json.name, p]));

// Pack every package once, and lint what would be published.
const tarballs = new Map();
const bin = (name) => join(root, 'node_modules', '.bin', name);
for (const p of pkgs) {
  try {
    run(bin('publint'), ['--strict'], p.dir);
    run(bin('attw'), ['--pack', '.', '--format', 'ascii'], p.dir);
  } catch (e) {
    console.error(`lint ${p.json.name}: FAILED\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
    process.exitCode = 1;
  }
  const out = run('pnpm', ['pack', '--pack-destination', packDir], p.dir).trim().split('\n').pop();
  tarballs.set(p.json.name, out.trim());
}

function workspaceClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dep of Object.keys(byName.get(name).json.dependencies ?? {})) {
    if (byName.has(dep)) workspaceClosure(dep, seen);
  }
  return seen;
}

let failed = 0;
for (const p of pkgs) {
  const name = p.json.name;
  const dir = mkdtempSync(join(tmpdir(), 'lab-smoke-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
    const optional = p.json.peerDependenciesMeta ?? {};
    const peers = Object.entries(p.json.peerDependencies ?? {})
      .filter(([n]) => !optional[n]?.optional)
      .map(([n, v]) => `${n}@${v}`);
    const local = [...workspaceClosure(name)].map((n) => tarballs.get(n));
    const scripts = IGNORE_SCRIPTS.has(name) ? ['--ignore-scripts'] : [];
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...scripts, ...local, ...peers], dir);
    const check = CHECKS[name] ?? {
      esm: `import * as m from '${name}'; console.log('esm ok', Object.keys(m).length, 'exports');`,
      cjs: `const m = require('${name}'); console.log('cjs ok', Object.keys(m).length, 'exports');`,
    };
    writeFileSync(join(dir, 'smoke.mjs'), check.esm);
    writeFileSync(join(dir, 'smoke.cjs'), check.cjs);
    const esm = run('node', ['smoke.mjs'], dir).trim();
    const cjs = run('node', ['smoke.cjs'], dir).trim();
    console.log(`smoke ${name}: ${esm} | ${cjs}`);
  } catch (e) {
    failed++;
    console.error(`smoke ${name}: FAILED\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
rmSync(packDir, { recursive: true, force: true });
console.log(`smoke: ${pkgs.length - failed} passed, ${failed} failed`);
process.exit(failed || process.exitCode ? 1 : 0);

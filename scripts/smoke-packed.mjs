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
`;
CHECKS['@lab/attribution'] = {
  esm: IG_CHECK('esm'),
  cjs: `(async () => { ${IG_CHECK('cjs')} })().catch((e) => { console.error(e); process.exit(1); });`,
};

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
    const peers = Object.entries(p.json.peerDependencies ?? {}).map(([n, v]) => `${n}@${v}`);
    const local = [...workspaceClosure(name)].map((n) => tarballs.get(n));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...local, ...peers], dir);
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

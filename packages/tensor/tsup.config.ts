import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { labTsup } from '../../tsup.base';

const here = dirname(fileURLToPath(import.meta.url));

// tfjs-core's Node entry registers no gradients and no chained ops, and its `dist/*.js` files
// cannot be imported from plain Node (extensionless ESM). Bundle those registration files into
// this package while tfjs-core itself stays external (see ../shared/specs/toolchain.md).
export default defineConfig(
  labTsup({
    // The worker pool's generic model task is a second entry (dist/model-task.js), the module a
    // worker loads; its import of the package entry stays external (`./index.js` / `./index.cjs`),
    // so a worker holds one copy of @lab/tensor.
    entry: { index: 'src/index.ts', 'model-task': 'src/parallel/model-task.ts' },
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    esbuildPlugins: [
      {
        name: 'model-task-uses-package-entry',
        setup(build) {
          const ext = build.initialOptions.format === 'cjs' ? 'cjs' : 'js';
          build.onResolve({ filter: /^\.\.\/index$/ }, (args) =>
            args.importer.endsWith(join('src', 'parallel', 'model-task.ts')) ? { path: `./index.${ext}`, external: true } : undefined,
          );
        },
      },
    ],
    // Ship tfjs-backend-wasm's binaries beside dist/index.js: in browsers, initBackend() loads them
    // from `new URL('./<name>.wasm', import.meta.url)` (src/backend/init-backend.ts).
    async onSuccess() {
      const wasmDist = join(
        dirname(createRequire(join(here, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
        'dist',
      );
      for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
        copyFileSync(join(wasmDist, name), join(here, 'dist', name));
      }
    },
  }),
);

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
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
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

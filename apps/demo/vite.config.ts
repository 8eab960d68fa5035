import { defineConfig, type Plugin } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP): lets the page and its workers use SharedArrayBuffer, so
 * tfjs loads its threaded SIMD wasm binary. Served by the dev server and by `vite preview`; the
 * e2e test's static server (e2e/serve.mjs) sends the same headers.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * tfjs-backend-wasm starts its pthreads from `new Blob(['var WasmBackendModuleThreadedSimd = ' +
 * factory.toString()])`: the Emscripten factory must run on its own, outside the bundle. It reads
 * one variable of its enclosing closure, `_scriptDir` (behind a `typeof` guard). A minifier
 * renames that variable and drops the guard (legal inside the bundle), and every pthread then dies
 * with "ReferenceError: e is not defined", so the backend never starts on a cross-origin-isolated
 * page. tfjs passes `mainScriptUrlOrBlob` and `locateFile` itself, so both reads can go.
 */
function tfjsThreadedFactoryStandalone(): Plugin {
  const edits: [string, string][] = [
    ['if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}', ''],
    ['"urlOrBlob":Module["mainScriptUrlOrBlob"]||_scriptDir', '"urlOrBlob":Module["mainScriptUrlOrBlob"]'],
  ];
  return {
    name: 'lab:tfjs-threaded-factory-standalone',
    enforce: 'pre',
    transform(code, id) {
      if (!/tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/.test(id.split('?')[0])) return null;
      let out = code;
      for (const [from, to] of edits) {
        if (!out.includes(from)) {
          this.error(`tfjs-backend-wasm's threaded glue changed (no '${from.slice(0, 40)}…'): review the lab:tfjs-threaded-factory-standalone plugin`);
        }
        out = out.replace(from, to);
      }
      const body = out.indexOf('function(WasmBackendModuleThreadedSimd)');
      if (body < 0 || out.indexOf('_scriptDir', body) >= 0) {
        this.error('the threaded wasm factory still reads _scriptDir: review the lab:tfjs-threaded-factory-standalone plugin');
      }
      return { code: out, map: null };
    },
  };
}

export default defineConfig({
  // Relative URLs: the built site works from any folder (e.g. under the docs site).
  base: './',
  plugins: [tfjsThreadedFactoryStandalone()],
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
  // The lab packages (linked workspace packages, so never pre-bundled anyway) load their .wasm
  // binaries with `new URL('./x.wasm', import.meta.url)` beside their dist/; keep it that way.
  // tfjs-backend-wasm itself must be pre-bundled in dev: its Emscripten glue is CommonJS.
  optimizeDeps: { exclude: ['@lab/tensor', '@lab/attribution', '@lab/sr-models'] },
  worker: { format: 'es', plugins: () => [tfjsThreadedFactoryStandalone()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});

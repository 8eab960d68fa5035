/**
 * Where a package's built worker scripts are, from the URL of the module asking.
 * @packageDocumentation
 */
import { InvalidValueError } from '../errors';

/**
 * The URL of a file of a package's build output (`dist/<name>`), given the `import.meta.url` of a
 * module of that package. From a built bundle (`dist/index.js`, `dist/index.cjs`) it is the sibling
 * file; from a TypeScript source (tests and dev servers running `src/**.ts`), where a worker could
 * not load the source anyway, it is `<package>/dist/<name>`, so those runs use the last build.
 * @param moduleUrl - `import.meta.url` of the asking module
 * @param name - file name inside `dist/` (e.g. `model-task.js`)
 * @returns the file's URL
 * @throws {@link InvalidValueError} for an empty `moduleUrl` or `name`
 * @example
 * ```ts
 * const task = builtFileUrl(import.meta.url, 'attribution-task.js');
 * ```
 * @category Parallel
 */
export function builtFileUrl(moduleUrl: string, name: string): URL {
  if (typeof moduleUrl !== 'string' || moduleUrl === '') throw new InvalidValueError(`builtFileUrl: moduleUrl must be a URL, got ${String(moduleUrl)}`);
  if (typeof name !== 'string' || name === '') throw new InvalidValueError(`builtFileUrl: name must be a file name, got ${String(name)}`);
  const here = new URL(moduleUrl);
  const source = /\.(c|m)?tsx?$/.test(here.pathname) ? here.pathname.lastIndexOf('/src/') : -1;
  if (source >= 0) return new URL(`${here.pathname.slice(0, source)}/dist/${name}`, here);
  return new URL(`./${name}`, here);
}

/**
 * URL of `@lab/tensor`'s generic model task (`dist/model-task.js`): each worker rebuilds the model
 * of a {@link ModelSpec} (the pool's `init`) and maps `{ x: TensorPayload }` items to
 * `{ y: TensorPayload }`, the model's output on that batch.
 * @returns the task module's URL, for {@link createWorkerPool}'s `task`
 * @example
 * ```ts
 * const pool = await createWorkerPool({ task: modelTaskUrl(), init: modelSpec(net, source) });
 * const [{ y }] = await pool.map([{ x: tensorToPayload(batch) }]);
 * ```
 * @category Parallel
 */
export function modelTaskUrl(): URL {
  return builtFileUrl(import.meta.url, 'model-task.js');
}

/**
 * URL of `@lab/tensor`'s ESM entry (`dist/index.js`), the {@link ModelSpec} `module` of models this
 * package builds (`resnetCifar`, `Sequential`, …).
 * @returns the entry's URL
 * @example
 * ```ts
 * const spec = modelSpec(net, { module: tensorEntryUrl(), export: 'resnetCifar', args: [20] });
 * ```
 * @category Parallel
 */
export function tensorEntryUrl(): URL {
  return builtFileUrl(import.meta.url, 'index.js');
}

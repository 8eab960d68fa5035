// @ts-check
/**
 * TypeDoc plugin for the single-program API reference (typedoc.json, `entryPointStrategy:
 * resolve`): names each entry module after its package (`@lab/tensor` instead of `tensor/src`)
 * and shows the package README on the module page, as the `packages` strategy would, while every
 * cross-package `{@link}` resolves inside the one program.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Converter, MinimalSourceFile, ReflectionKind } from 'typedoc';

/** The nearest package.json above `file`, or undefined. */
function packageJsonOf(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      const project = context.project;
      for (const mod of project.getReflectionsByKind(ReflectionKind.Module)) {
        if (mod.parent !== project) continue;
        const file = context.getSymbolFromReflection(mod)?.declarations?.[0]?.getSourceFile().fileName;
        const pkgFile = file && packageJsonOf(file);
        if (!pkgFile) continue;
        const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
        if (typeof pkg.name !== 'string') continue;
        mod.name = pkg.name;
        const readme = path.join(path.dirname(pkgFile), 'README.md');
        if (!mod.readme && existsSync(readme)) {
          const { content } = app.converter.parseRawComment(new MinimalSourceFile(readFileSync(readme, 'utf8'), readme), project.files);
          mod.readme = content;
          project.files.registerReflectionPath(/** @type {any} */ (readme.split(path.sep).join('/')), mod);
        }
      }
    },
    // Before links are resolved and the default sort runs.
    200,
  );
}

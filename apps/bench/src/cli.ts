/**
 * Entry of the `lab` command (`pnpm lab [suite] [options]`); everything else is in `main.ts`.
 * @packageDocumentation
 */
import { main } from './main';

// `pnpm lab` runs from the workspace root; resolve `--json FILE` and `--out DIR` against the
// folder the user typed the command in, as they would expect.
if (process.env.npm_lifecycle_event === 'lab' && process.env.INIT_CWD) {
  try {
    process.chdir(process.env.INIT_CWD);
  } catch {
    // keep the current folder
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`lab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);

/**
 * Progress reporting for suites: a redrawn bar on a terminal, one plain line per step otherwise
 * (`[perf] 3/8 conv 3x3 64→64`), so logs of CI runs stay readable.
 * @packageDocumentation
 */

/** Where the command writes; `main` takes one so tests can capture everything. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress is drawn as a bar. */
  readonly isTTY: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

/** Progress of one suite's steps. */
export interface Progress {
  /** Declares how many steps follow (may be called again to change the total). */
  start(total: number): void;
  /** Announces the next step, by a short label, before it runs. */
  step(label: string): void;
  /** Ends the display (clears the bar). Called by the runner; suites need not call it. */
  end(): void;
  /** Writes a line of text without breaking the bar. */
  log(message: string): void;
}

const BAR_WIDTH = 24;

/** Progress for suite `name`, written to `io.stderr`: a bar when `io.isTTY`, plain lines otherwise. */
export function createProgress(name: string, io: Io): Progress {
  let total = 0;
  let done = 0;
  let label = '';
  let drawn = false;

  const render = (): void => {
    const frac = total > 0 ? Math.min(1, (done - 1) / total) : 0;
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    let line = `[${name}] ${bar} ${done}/${total} ${label}`;
    const width = io.columns ?? 100;
    if (line.length > width - 1) line = `${line.slice(0, width - 2)}…`;
    io.stderr(`\r\x1b[K${line}`);
    drawn = true;
  };
  const clear = (): void => {
    if (drawn) io.stderr('\r\x1b[K');
    drawn = false;
  };

  return {
    start(n: number): void {
      total = Math.max(0, Math.floor(n));
      done = 0;
    },
    step(text: string): void {
      done += 1;
      if (done > total) total = done;
      label = text;
      if (io.isTTY) render();
      else io.stderr(`[${name}] ${done}/${total} ${text}\n`);
    },
    end(): void {
      if (io.isTTY) clear();
    },
    log(message: string): void {
      if (io.isTTY && drawn) {
        clear();
        io.stderr(`[${name}] ${message}\n`);
        render();
      } else {
        io.stderr(`[${name}] ${message}\n`);
      }
    },
  };
}

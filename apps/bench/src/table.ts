/**
 * Text renderings of result tables: aligned columns for the terminal, GitHub Markdown for reports.
 * @packageDocumentation
 */
import type { ResultTable } from './suite';

/** A cell as text: integers as they are, other numbers with 4 significant digits. */
export function formatCell(value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/** Whether a cell reads as a number (with an optional unit), so its column is right-aligned. */
export function isNumeric(value: string | number): boolean {
  return typeof value === 'number' || value === '—' || /^[-+]?[\d.,]+(e[-+]?\d+)?\s*[%×a-zA-Z/µ]*$/.test(value);
}

/** Per column: whether every cell of it is numeric (then it is right-aligned). */
export function numericColumns(table: ResultTable): boolean[] {
  return table.columns.map((_, j) => table.rows.length > 0 && table.rows.every((r) => r[j] === undefined || isNumeric(r[j])));
}

/** The table as aligned plain text (title, header, rule, rows, notes); numeric cells right-aligned. */
export function renderTable(table: ResultTable): string {
  const cells = table.rows.map((row) => row.map(formatCell));
  const widths = table.columns.map((c, j) => Math.max(c.length, ...cells.map((r) => (r[j] ?? '').length)));
  const right = table.columns.map((_, j) => table.rows.length > 0 && table.rows.every((r) => r[j] === undefined || isNumeric(r[j])));
  const line = (row: readonly string[]): string =>
    row
      .map((c, j) => (right[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  const out = [table.title, line(table.columns), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)];
  for (const note of table.notes ?? []) out.push(`  ${note}`);
  return `${out.join('\n')}\n`;
}

function escapeMd(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The table as GitHub-flavoured Markdown under a `###` heading. */
export function markdownTable(table: ResultTable): string {
  const cells = table.rows.map((row) => row.map(formatCell));
  const right = table.columns.map((_, j) => table.rows.length > 0 && table.rows.every((r) => r[j] === undefined || isNumeric(r[j])));
  const out = [
    `### ${table.title}`,
    '',
    `| ${table.columns.map(escapeMd).join(' | ')} |`,
    `| ${right.map((r) => (r ? '---:' : '---')).join(' | ')} |`,
    ...cells.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
  ];
  if (table.notes?.length) out.push('', ...table.notes.map((n) => `_${n}_`));
  return `${out.join('\n')}\n`;
}

/** Milliseconds as a short duration: `850 ms`, `12.3 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.round(s - 60 * m)).padStart(2, '0')} s`;
}

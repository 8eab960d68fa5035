/**
 * `index.html` of a report folder: one self-contained page (inline style, plots embedded as
 * SVG) with the environment, the summary, and per suite its error, tables, plots, pictures
 * (files of the folder, by relative path) and all metrics. It needs no server and no script.
 * @packageDocumentation
 */
import { commandLine, environmentLine, keyFigures, firstLine, type RunReport } from './report';
import type { ResultPlot, ResultTable, SuiteResult } from './suite';
import { formatCell, formatDuration, numericColumns } from './table';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Inline Markdown of our notes and summaries: `code` spans only. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --failed: #cf222e; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header { background: #fff; border-bottom: 1px solid var(--line); max-width: none; }
header > div { max-width: 1152px; margin: 0 auto; }
h1 { margin: 0 0 8px; font-size: 24px; }
h2 { margin: 0 0 8px; font-size: 20px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 20px; margin: 16px 0; overflow-x: auto; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; color: var(--muted); }
dt { font-weight: 600; }
dd { margin: 0; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; vertical-align: middle; }
.badge.ok { background: var(--ok); }
.badge.failed { background: var(--failed); }
table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; }
td.key { white-space: normal; }
.bar { display: inline-block; height: 8px; background: #8da2fb; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
.note { color: var(--muted); font-size: 12.5px; margin: 2px 0; white-space: normal; }
pre.error { background: #ffebe9; border: 1px solid #ff818266; padding: 8px 12px; border-radius: 6px; white-space: pre-wrap; }
figure { margin: 12px 0; }
figure.plot svg { max-width: 100%; height: auto; }
.plots { display: flex; flex-wrap: wrap; gap: 0 24px; }
.plots figure.plot { max-width: 100%; }
.images { display: flex; flex-wrap: wrap; gap: 16px; }
.images figure { margin: 0; max-width: 100%; }
.images img { max-width: 100%; min-width: 96px; image-rendering: pixelated; border: 1px solid var(--line); background: #fff; }
figcaption { color: var(--muted); font-size: 12.5px; max-width: 640px; }
nav a { margin-right: 12px; }
details summary { cursor: pointer; color: var(--muted); margin-top: 12px; }
code { font-size: 12.5px; background: #f6f8fa; padding: 0 3px; border-radius: 3px; }
`;

function badge(status: 'ok' | 'failed'): string {
  return `<span class="badge ${status}">${status}</span>`;
}

function anchor(suite: string): string {
  return `suite-${suite.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** A result table as HTML (numeric columns right-aligned), with its notes under it. */
export function tableHtml(table: ResultTable, heading = true): string {
  const numeric = numericColumns(table);
  const cls = (j: number) => (numeric[j] ? ' class="num"' : '');
  const head = table.columns.map((c, j) => `<th${cls(j)}>${escapeHtml(c)}</th>`).join('');
  const rows = table.rows.map((r) => `<tr>${r.map((v, j) => `<td${cls(j)}>${escapeHtml(formatCell(v))}</td>`).join('')}</tr>`).join('\n');
  const notes = (table.notes ?? []).map((n) => `<p class="note">${inline(n)}</p>`).join('\n');
  return `${heading ? `<h3>${escapeHtml(table.title)}</h3>\n` : ''}<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>\n${notes}`;
}

function plotHtml(plot: ResultPlot, svg: string | undefined): string {
  const notes = (plot.notes ?? []).map((n) => `<p class="note">${inline(n)}</p>`).join('\n');
  const body = svg ?? `<p class="note">The plot '${escapeHtml(plot.title)}' could not be drawn.</p>`;
  return `<figure class="plot" aria-label="${escapeHtml(plot.title)}">\n${body}\n${notes ? `<figcaption>${notes}</figcaption>` : ''}</figure>`;
}

function suiteHtml(r: SuiteResult, svgs: ReadonlyMap<ResultPlot, string>): string {
  const out: string[] = [
    `<section id="${anchor(r.suite)}">`,
    `<h2>${escapeHtml(r.suite)} ${badge(r.status)}</h2>`,
    `<p class="note">${formatDuration(r.durationMs)}${r.shard ? `, shard ${r.shard.index}/${r.shard.count} of its items` : ''}${r.summary ? ` — ${inline(r.summary)}` : ''}</p>`,
  ];
  if (r.options && Object.keys(r.options).length > 0) {
    out.push(`<p class="note">options: ${Object.entries(r.options).map(([k, v]) => `<code>--${escapeHtml(k)} ${escapeHtml(String(v))}</code>`).join(' ')}</p>`);
  }
  if (r.error) out.push(`<pre class="error">${escapeHtml(r.error)}</pre>`);
  for (const t of r.tables ?? []) out.push(tableHtml(t));
  if (r.plots?.length) out.push('<div class="plots">', ...r.plots.map((p) => plotHtml(p, svgs.get(p))), '</div>');
  if (r.images?.length) {
    out.push('<div class="images">');
    for (const image of r.images) {
      out.push(
        `<figure><figcaption><strong>${escapeHtml(image.title)}</strong></figcaption>` +
          `<img src="${escapeHtml(image.file)}" alt="${escapeHtml(image.title)}" loading="lazy">` +
          (image.caption ? `<figcaption>${inline(image.caption)}</figcaption>` : '') +
          '</figure>',
      );
    }
    out.push('</div>');
  }
  const metrics = Object.entries(r.metrics);
  if (metrics.length > 0) {
    out.push(
      `<details><summary>All metrics (${metrics.length})</summary>`,
      tableHtml({ title: `${r.suite}: all metrics`, columns: ['metric', 'value'], rows: metrics.map(([k, v]) => [k, v]) }, false),
      '</details>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

function summaryHtml(report: RunReport): string {
  const max = Math.max(1, ...report.suites.map((r) => r.durationMs));
  const rows = report.suites.map((r) => {
    const width = Math.max(1, Math.round((120 * r.durationMs) / max));
    const figures = r.status === 'ok' ? keyFigures(r) : firstLine(r.error ?? 'failed');
    return (
      `<tr><td><a href="#${anchor(r.suite)}">${escapeHtml(r.suite)}</a></td><td>${badge(r.status)}</td>` +
      `<td class="num"><span class="bar" style="width:${width}px"></span>${formatDuration(r.durationMs)}</td>` +
      `<td class="key">${inline(figures)}</td></tr>`
    );
  });
  const missing = report.plan.filter((name) => !report.suites.some((s) => s.suite === name));
  return [
    '<section id="summary">',
    '<h2>Summary</h2>',
    '<table><thead><tr><th>suite</th><th>status</th><th class="num">time</th><th>key figures</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    missing.length > 0 ? `<p class="note">Run by other shards: ${missing.map(escapeHtml).join(', ')}.</p>` : '',
    '</section>',
  ].join('\n');
}

/**
 * The report page. `svgs` holds the drawn SVG of each plot (a plot without one is shown as not
 * drawn); pictures are referenced by their path relative to the report folder.
 */
export function reportHtml(report: RunReport, svgs: ReadonlyMap<ResultPlot, string> = new Map()): string {
  const ok = report.suites.filter((r) => r.status === 'ok').length;
  const shards = report.shards
    ? `<dt>shards</dt><dd>${report.shards.map((s) => `${s.index}/${s.count} ${s.status} in ${formatDuration(s.durationMs)}`).join(', ')}</dd>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lab (schema ${report.schemaVersion})">
<title>lab report — ${escapeHtml(report.status)} — ${escapeHtml(report.createdAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><div>
<h1>lab report ${badge(report.status)}</h1>
<dl>
<dt>created</dt><dd>${escapeHtml(report.createdAt)}</dd>
<dt>command</dt><dd>${inline(commandLine(report))}</dd>
<dt>environment</dt><dd>${escapeHtml(environmentLine(report.environment))}</dd>
<dt>result</dt><dd>${ok}/${report.suites.length} suites ok in ${formatDuration(report.durationMs)}</dd>
${shards}
</dl>
<nav>${report.suites.map((r) => `<a href="#${anchor(r.suite)}">${escapeHtml(r.suite)}</a>`).join(' ')}</nav>
</div></header>
<main>
${summaryHtml(report)}
${report.suites.map((r) => suiteHtml(r, svgs)).join('\n')}
</main>
</body>
</html>
`;
}

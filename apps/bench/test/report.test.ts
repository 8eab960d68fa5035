import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main';
import { plotData, plotFileName, renderPlotSvg } from '../src/plot';
import { SCHEMA_VERSION, type RunReport } from '../src/report';
import { relativeImages } from '../src/runner';
import { parseReport, reportProblems } from '../src/schema';
import { brokenSuite, captureIo, cpuBackend, figureSuite, tinySuite } from './fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const registry = { figures: figureSuite, broken: brokenSuite, tiny: tinySuite };
const deps = { suites: registry, initBackend: cpuBackend };

describe('report folder of the default run', () => {
  let out: string;
  let report: RunReport;
  let html: string;
  let md: string;
  let code: number;
  beforeAll(async () => {
    out = path.join(dir, 'all');
    code = await main(['--out', out], captureIo(), deps);
    report = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as RunReport;
    html = await readFile(path.join(out, 'index.html'), 'utf8');
    md = await readFile(path.join(out, 'report.md'), 'utf8');
  });

  it('writes results.json that follows the schema, with every suite in plan order', () => {
    expect(code).toBe(1);
    expect(reportProblems(report)).toEqual([]);
    expect(report.schemaVersion).toBe(SCHEMA_VERSION);
    expect(report.plan).toEqual(['figures', 'broken', 'tiny']);
    expect(report.suites.map((s) => [s.suite, s.status])).toEqual([
      ['figures', 'ok'],
      ['broken', 'failed'],
      ['tiny', 'ok'],
    ]);
  });

  it('records plots as data and pictures relative to the report folder', () => {
    const figures = report.suites[0];
    expect(figures.plots?.map((p) => [p.title, p.kind])).toEqual([
      ['A curve', 'line'],
      ['Bars by method', 'bar'],
      ['Quality vs cost', 'scatter'],
    ]);
    expect(figures.images).toEqual([{ file: 'figures/tiny-figure.png', title: 'A tiny figure', caption: 'four pixels on top, four greys below' }]);
  });

  it('embeds one SVG per plot in index.html and shows the picture by its relative path', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(3);
    for (const title of ['A curve', 'Bars by method', 'Quality vs cost']) expect(html).toContain(`<figure class="plot" aria-label="${title}">`);
    expect(html).toContain('<img src="figures/tiny-figure.png" alt="A tiny figure"');
    expect(html).toContain('bars grouped per method');
    expect(html).toContain('<h3>Figure table</h3>');
  });

  it('marks the failing suite failed with its error in index.html and report.md, keeping the others', () => {
    expect(html).toMatch(/<h2>broken <span class="badge failed">failed<\/span><\/h2>/);
    expect(html).toContain('<pre class="error">RangeError: kaboom in broken</pre>');
    expect(html).toMatch(/<h2>tiny <span class="badge ok">ok<\/span><\/h2>/);
    expect(html).toContain('<h1>lab report <span class="badge failed">failed</span></h1>');
    expect(md).toMatch(/^## broken\n\nStatus: \*\*failed\*\*/m);
    expect(md).toContain('```\nRangeError: kaboom in broken\n```');
    expect(report.suites[1].error).toBe('RangeError: kaboom in broken');
    expect(report.suites[2].metrics.sum).toBe(3);
  });

  it('writes each plot as an SVG file under plots/ and links it and the picture from report.md', async () => {
    const files = (await readdir(path.join(out, 'plots'))).sort();
    expect(files).toEqual(['figures-1-a-curve.svg', 'figures-2-bars-by-method.svg', 'figures-3-quality-vs-cost.svg']);
    for (const f of files) {
      const svg = await readFile(path.join(out, 'plots', f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(md).toContain(`(plots/${f})`);
    }
    expect(md).toContain('![A tiny figure](figures/tiny-figure.png)');
  });

  it('writes lab-report only for the default run unless --out is given', async () => {
    const cwd = process.cwd();
    const here = await mkdtemp(path.join(dir, 'cwd-'));
    process.chdir(here);
    try {
      expect(await main(['tiny'], captureIo(), deps)).toBe(0);
      expect(existsSync(path.join(here, 'lab-report'))).toBe(false);
      expect(await main([], captureIo(), { ...deps, suites: { tiny: tinySuite } })).toBe(0);
      expect(existsSync(path.join(here, 'lab-report', 'index.html'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('plots', () => {
  it('drops non-finite points and points at or below 0 on a log axis', () => {
    const data = plotData({
      title: 't',
      kind: 'scatter',
      x: 'x',
      y: 'y',
      xScale: 'log',
      series: [{ name: 's', points: [{ x: 1, y: 1 }, { x: 0, y: 1 }, { x: 2, y: Number.NaN }, { x: 3, y: 2, label: 'c' }] }],
    });
    expect(data).toEqual([
      { series: 's', x: 1, y: 1, label: '' },
      { series: 's', x: 3, y: 2, label: 'c' },
    ]);
  });

  it('renders a bar plot to an SVG with its title and category labels', async () => {
    const svg = await renderPlotSvg({
      title: 'Precision per method',
      kind: 'bar',
      x: 'method',
      y: 'precision',
      series: [{ name: '+P', points: [{ x: 'saliency', y: 0.5 }, { x: 'deep-lift', y: 1 }] }],
    });
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const text of ['Precision per method', 'saliency', 'deep-lift']) expect(svg).toContain(text);
  });

  it('names plot files by suite, position and title', () => {
    expect(plotFileName('sr-eval', 0, 'PSNR vs FLOPs (×4)')).toBe('sr-eval-1-psnr-vs-flops-4.svg');
  });
});

describe('schema', () => {
  it('names the JSON path of each problem and rejects another schema version', () => {
    expect(reportProblems({ schemaVersion: 1 })).toEqual(['schemaVersion must be 2, got 1 (written by another version of lab)']);
    const problems = reportProblems({ schemaVersion: 2, createdAt: 5, suites: [{ suite: 'x', status: 'meh', durationMs: 1, metrics: {} }] });
    expect(problems).toContain('$.createdAt must be a string, got number');
    expect(problems).toContain('$.command is missing');
    expect(problems).toContain('$.suites[0].status must be one of "ok", "failed", got "meh"');
    expect(() => parseReport({ schemaVersion: 2 }, 'x.json')).toThrow(/^x\.json: not a lab report: \$\.createdAt is missing/);
  });
});

describe('relativeImages', () => {
  it('keeps pictures inside the report folder, relative with /, and reports the others', () => {
    const problems: string[] = [];
    const out = path.join(dir, 'all');
    const images = relativeImages(
      [
        { file: path.join(out, 'figures', 'tiny-figure.png'), title: 'in' },
        { file: path.join(dir, 'elsewhere.png'), title: 'outside' },
        { file: path.join(out, 'missing.png'), title: 'missing' },
      ],
      out,
      problems,
    );
    expect(images).toEqual([{ file: 'figures/tiny-figure.png', title: 'in' }]);
    expect(problems).toEqual([`image '${path.join(dir, 'elsewhere.png')}' is outside the report folder ${out}`, `image '${path.join(out, 'missing.png')}' was not written`]);
  });
});

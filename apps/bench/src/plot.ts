/**
 * Drawing of the plots suites return ({@link ResultPlot}): each becomes a Vega-Lite
 * specification, rendered headlessly to SVG by Vega (no canvas, no browser, no native module).
 * @packageDocumentation
 */
import type { ResultPlot } from './suite';

/** One row of the data handed to Vega-Lite. */
interface Datum {
  readonly series: string;
  readonly x: number | string;
  readonly y: number;
  readonly label: string;
}

/** Plot width and height in CSS pixels (the plotting area; axes and legend come on top). */
const WIDTH = 520;
const HEIGHT = 280;

/** The points of `plot` that can be drawn: finite, and positive on a log axis. */
export function plotData(plot: ResultPlot): Datum[] {
  const out: Datum[] = [];
  for (const s of plot.series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.y) || (plot.yScale === 'log' && p.y <= 0)) continue;
      if (plot.kind !== 'bar') {
        if (typeof p.x !== 'number' || !Number.isFinite(p.x) || (plot.xScale === 'log' && p.x <= 0)) continue;
      }
      out.push({ series: s.name, x: plot.kind === 'bar' ? String(p.x) : p.x, y: p.y, label: p.label ?? '' });
    }
  }
  return out;
}

/** The Vega-Lite specification of `plot` (data inline). */
export function plotSpec(plot: ResultPlot): Record<string, unknown> {
  const values = plotData(plot);
  const series = plot.series.map((s) => s.name);
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series, scheme: 'tableau10' },
    legend: series.length > 1 ? { orient: 'bottom', direction: 'horizontal', columns: 4 } : null,
  };
  const yLog = plot.yScale === 'log';
  const y = { field: 'y', type: 'quantitative', title: plot.y, scale: yLog ? { type: 'log' } : { type: 'linear', zero: plot.kind === 'bar' } };
  const tooltip = [
    { field: 'series', type: 'nominal' },
    { field: 'x', type: plot.kind === 'bar' ? 'nominal' : 'quantitative', title: plot.x },
    { field: 'y', type: 'quantitative', title: plot.y },
  ];
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: plot.title, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
    data: { values },
  };
  if (plot.kind === 'bar') {
    const categories = [...new Set(values.map((v) => v.x as string))];
    // Wide enough for about 12 px per bar: the plot grows with categories × series, up to 1100 px.
    const width = Math.min(1100, Math.max(WIDTH, categories.length * (12 * series.length + 10)));
    return {
      ...base,
      width,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'x', type: 'nominal', title: plot.x, sort: categories, axis: { labelAngle: categories.length > 6 ? -40 : 0, labelLimit: 220 } },
        xOffset: { field: 'series', type: 'nominal', sort: series },
        y,
        color,
        tooltip,
      },
    };
  }
  const x = { field: 'x', type: 'quantitative', title: plot.x, scale: plot.xScale === 'log' ? { type: 'log', nice: true } : { type: 'linear', zero: false, nice: true } };
  if (plot.kind === 'line') {
    return {
      ...base,
      mark: { type: 'line', point: true, interpolate: 'linear' },
      encoding: { x, y: { ...y, scale: yLog ? y.scale : { ...y.scale, zero: false } }, color, tooltip, order: { field: 'index' } },
      transform: [{ window: [{ op: 'row_number', as: 'index' }], groupby: ['series'] }],
    };
  }
  const ys = { ...y, scale: { ...(yLog ? y.scale : { ...y.scale, zero: false, nice: true }), padding: 16 } };
  return {
    ...base,
    encoding: { x: { ...x, scale: { ...x.scale, padding: 16 } }, y: ys },
    layer: [
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { color, shape: { field: 'series', type: 'nominal', legend: null }, tooltip: [{ field: 'label', type: 'nominal', title: 'point' }, ...tooltip] } },
      { mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 11 }, encoding: { text: { field: 'label' }, color } },
    ],
  };
}

/**
 * Renders `plot` to a standalone SVG document (white background, fonts named generically).
 * Vega and Vega-Lite are loaded on the first call.
 */
export async function renderPlotSvg(plot: ResultPlot): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const spec = vl.compile(plotSpec(plot) as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A file name for a plot: `<suite>-<n>-<title words>.svg`, lowercase ASCII. */
export function plotFileName(suite: string, index: number, title: string): string {
  const slug = (text: string) =>
    text
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `${slug(suite) || 'suite'}-${index + 1}-${slug(title).slice(0, 48).replace(/-+$/, '') || 'plot'}.svg`;
}

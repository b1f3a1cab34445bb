/**
 * Training curves as a PNG: loss, the main metrics and the learning rate per
 * epoch, side by side. Drawn with Vega-Lite (SVG) and rasterised by sharp.
 */
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Logs } from './callbacks.js';

export interface CurvesOptions {
  /** Log keys drawn in the metric panel (default: val_* Dice/IoU/accuracy macro means, else their training forms). */
  metrics?: string[];
  title?: string;
  /** Pixel width of each panel. */
  panelWidth?: number;
}

function defaultMetrics(keys: string[]): string[] {
  const main = keys.filter((k) => /(dice|iou|acc|pixelAccuracy)$/i.test(k) && !/_\d+$/.test(k) && k !== 'loss');
  const val = main.filter((k) => k.startsWith('val_'));
  return val.length ? val : main;
}

/** The Vega-Lite spec of the curves (exported for tests and for the dashboard). */
export function curvesSpec(history: Logs[], o: CurvesOptions = {}): vl.TopLevelSpec {
  const keys = [...new Set(history.flatMap((h) => Object.keys(h)))];
  const metrics = o.metrics ?? defaultMetrics(keys);
  const rows = (ks: string[]) => history.flatMap((h) => ks.filter((k) => Number.isFinite(h[k])).map((k) => ({ epoch: h.epoch, series: k, value: h[k] })));
  const width = o.panelWidth ?? 260;
  const panel = (title: string, data: object[], scale?: 'log') => ({
    title,
    width,
    height: 180,
    data: { values: data },
    mark: { type: 'line' as const, point: data.length <= 30 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: null, scale: scale ? { type: scale } : { zero: false } },
      color: { field: 'series', type: 'nominal' as const, title: null, legend: { orient: 'bottom' as const } },
    },
  });
  const panels = [panel('loss', rows(keys.filter((k) => k === 'loss' || k === 'val_loss')))];
  if (metrics.length) panels.push(panel('metrics', rows(metrics)));
  if (keys.includes('lr')) panels.push(panel('learning rate', rows(['lr']), 'log'));
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: o.title ?? '', hconcat: panels, resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } }, config: { background: 'white' } } as vl.TopLevelSpec;
}

/** Renders the curves to a PNG buffer. */
export async function renderCurves(history: Logs[], o: CurvesOptions = {}): Promise<Buffer> {
  const spec = vl.compile(curvesSpec(history, o)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Writes the curves PNG to `path`. */
export async function saveCurves(history: Logs[], path: string, o: CurvesOptions = {}): Promise<void> {
  writeFileSync(path, await renderCurves(history, o));
}

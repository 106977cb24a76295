// The chart of RESULTS.md: per scenario, throughput (median, with the min–max range as a rule) and p99 latency
// of each row, side by side. Vega-Lite describes it and Vega renders the SVG headless (renderer 'none' needs no
// canvas or browser), rather than hand-written SVG: axes, scales and labels come from a maintained library.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { ScenarioResult } from '../scenario.ts';
import { summarise } from './summary.ts';

interface Datum {
  readonly row: string;
  readonly rate: number;
  readonly min: number;
  readonly max: number;
  readonly p99: number | null;
  readonly label: string;
  /** 'Sluice' or 'baseline' (direct and the other proxies): the bar colour. */
  readonly kind: string;
}

const baseline = /^(direct|nginx|caddy|http-proxy|node floor|undici floor|llhttp floor)\b/;

function panel(result: ScenarioResult): vl.TopLevelSpec | undefined {
  if (result.skipped || result.rows.length === 0) return undefined;
  const values: Datum[] = result.rows.map((row) => {
    const s = summarise(row);
    return { row: s.name, rate: s.rate.median, min: s.rate.min, max: s.rate.max, p99: s.p99Ms?.median ?? null, label: `${Math.round(s.rate.median)}`, kind: baseline.test(s.name) ? 'baseline' : 'Sluice' };
  });
  const y = { field: 'row', type: 'nominal', sort: null, title: null, axis: { labelLimit: 220 } } as const;
  const height = { step: 18 } as const;
  const color = { field: 'kind', type: 'nominal', title: null, scale: { domain: ['Sluice', 'baseline'], range: ['#4c78a8', '#9d9d9d'] }, legend: null } as const;
  return {
    title: { text: result.title, anchor: 'start', fontSize: 13 },
    data: { values },
    hconcat: [
      {
        width: 360,
        height,
        layer: [
          { mark: 'bar', encoding: { y, x: { field: 'rate', type: 'quantitative', title: `${result.unit} (median; rule: min–max)` }, color } },
          { mark: { type: 'rule', color: '#222' }, encoding: { y, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } } },
          { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y, x: { field: 'max', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
      {
        width: 240,
        height,
        layer: [
          { mark: { type: 'bar', color: '#f58518' }, encoding: { y: { ...y, axis: null }, x: { field: 'p99', type: 'quantitative', title: 'p99 latency, ms (median)' } } },
          { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { y: { ...y, axis: null }, x: { field: 'p99', type: 'quantitative' }, text: { field: 'p99', format: '.2f' } } },
        ],
      },
    ],
  } as vl.TopLevelSpec;
}

export async function renderChart(results: readonly ScenarioResult[], subtitle: string): Promise<string> {
  const panels = results.map(panel).filter((p): p is vl.TopLevelSpec => p !== undefined);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Sluice benchmark suite', subtitle, anchor: 'start' },
    config: { font: 'sans-serif', view: { stroke: null } },
    vconcat: panels,
    spacing: 28,
  } as unknown as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

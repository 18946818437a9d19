// Charts of the page: Vega-Lite specs built from a result's chart entries, compiled to Vega and
// rendered to SVG headless (vega's View.toSVG needs no browser and no canvas).
//
// Kinds:
//   bars   { data: [{ group, series, value }], unit, log? }: one row of horizontal bars per group,
//          each row on its own scale (a hello app and a large one differ by orders of magnitude)
//   lines  { data: [{ x, series, value }], unit, xTitle }: a line per series over x (log scale)

import * as vega from 'vega';
import { compile } from 'vega-lite';

const FONT = 'Helvetica, Arial, sans-serif';

/** The Vega-Lite spec of a chart entry. */
export function vegaLiteSpec(chart) {
  const config = {
    font: FONT,
    background: 'white',
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 11 },
    header: {
      labelFontSize: 11,
      labelFontWeight: 'bold',
      labelAngle: 0,
      labelOrient: 'top',
      labelAnchor: 'start',
      labelLimit: 520,
    },
    legend: {
      labelFontSize: 11,
      titleFontSize: 11,
      labelLimit: 320,
      orient: 'bottom',
      direction: 'vertical',
    },
  };
  const title = { text: chart.title, fontSize: 13, anchor: 'start' };
  if (chart.kind === 'bars') {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config,
      data: { values: chart.data },
      facet: { row: { field: 'group', type: 'nominal', title: null, sort: null } },
      spec: {
        width: 460,
        height: { step: 18 },
        layer: [
          {
            mark: { type: 'bar', color: '#4c78a8' },
            encoding: {
              y: { field: 'series', type: 'nominal', title: null, sort: null, axis: { labelLimit: 220 } },
              x: {
                field: 'value',
                type: 'quantitative',
                title: chart.unit,
                ...(chart.log ? { scale: { type: 'log' } } : {}),
              },
              color: {
                field: 'highlight',
                type: 'nominal',
                legend: null,
                scale: { domain: [false, true], range: ['#9ecae9', '#4c78a8'] },
              },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
            encoding: {
              y: { field: 'series', type: 'nominal', sort: null },
              x: { field: 'value', type: 'quantitative' },
              text: { field: 'label' },
            },
          },
        ],
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    };
  }
  if (chart.kind === 'lines') {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config,
      width: 420,
      height: 220,
      data: { values: chart.data },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: chart.xTitle, scale: { type: 'log' } },
        y: {
          field: 'value',
          type: 'quantitative',
          title: chart.unit,
          ...(chart.log ? { scale: { type: 'log' } } : {}),
        },
        color: { field: 'series', type: 'nominal', title: null, sort: null },
      },
    };
  }
  throw new Error(`unknown chart kind ${chart.kind}`);
}

/** Renders a chart entry to an SVG string. */
export async function renderSvg(chart) {
  const spec = vegaLiteSpec({
    ...chart,
    data: chart.data.map((d) => ({ highlight: false, label: d.label ?? '', ...d })),
  });
  const view = new vega.View(vega.parse(compile(spec, { logger: vega.logger(vega.Error) }).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

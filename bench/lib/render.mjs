// Markdown of a benchmark's result: figures with their spread, ratios in bold, targets met/missed.

/** A number in its unit, as the page shows it. */
export function formatValue(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  const sig = (x) =>
    Math.abs(x) >= 100
      ? x.toFixed(0)
      : Math.abs(x) >= 10
        ? x.toFixed(1)
        : Math.abs(x) >= 1
          ? x.toFixed(2)
          : x.toFixed(3);
  switch (unit) {
    case 'x':
      return `${value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toFixed(3)}x`;
    case 'B':
      return `${Math.round(value).toLocaleString('en')} B`;
    case 'MiB':
      return `${value.toFixed(1)} MiB`;
    case 'ns':
      return `${value.toFixed(1)} ns`;
    case 'count':
      return Math.round(value).toLocaleString('en');
    default:
      return `${sig(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} ${unit}`;
  }
}

/** `±n%`: half the interquartile range as a share of the median (blank for one run). */
export function spreadText(figure) {
  if (figure.runs < 2 || !figure.value) return '';
  const half = (figure.p75 - figure.p25) / 2 / Math.abs(figure.value);
  return ` ±${half >= 0.1 ? (half * 100).toFixed(0) : (half * 100).toFixed(1)}%`;
}

const OP_TEXT = { '>=': '≥', '<=': '≤', '<': '<', '>': '>' };

/** The text of one cell. */
export function cellText(result, cell) {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string' || typeof cell === 'number') return String(cell);
  if (cell.figure !== undefined) {
    const f = result.figures[cell.figure];
    if (!f) return '—';
    return `${formatValue(f.value, f.unit)}${cell.spread === false ? '' : spreadText(f)}`;
  }
  if (cell.ratio !== undefined) {
    const r = result.ratios[cell.ratio];
    return r ? `**${formatValue(r.value, 'x')}**` : '—';
  }
  if (cell.target !== undefined) {
    const t = result.targets[cell.target];
    return t ? targetText(t) : '—';
  }
  if (cell.text !== undefined) return cell.text;
  throw new Error(`unknown cell ${JSON.stringify(cell)}`);
}

export function targetText(t) {
  const threshold = t.unit === 'x' ? `${t.threshold}x` : `${t.threshold} ${t.unit}`;
  return `${OP_TEXT[t.op]} ${threshold}: **${t.met ? 'met' : 'missed'}**`;
}

/** A markdown table. */
export function renderTable(result, table) {
  const esc = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [];
  lines.push(`| ${table.columns.map(esc).join(' | ')} |`);
  lines.push(`| ${table.columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of table.rows) lines.push(`| ${row.map((c) => esc(cellText(result, c))).join(' | ')} |`);
  return lines.join('\n');
}

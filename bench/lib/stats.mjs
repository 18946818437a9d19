// Summaries of timed samples: a figure is a median with its unit, the number of runs and the spread
// (min, max, quartiles), so a reader of results/latest.json can tell a steady figure from a noisy one.

/** The median of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0..1) by linear interpolation between the sorted samples. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

/**
 * A figure from samples: `{ value (median), unit, runs, min, max, p25, p75 }`. A single measured
 * value (a size, a count) is a figure of one run whose spread is zero.
 */
export function summarize(samples, unit) {
  const xs = Array.isArray(samples) ? samples : [samples];
  if (xs.length === 0 || xs.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
    throw new Error(`a figure needs finite numbers, got ${JSON.stringify(samples)}`);
  return {
    value: median(xs),
    unit,
    runs: xs.length,
    min: Math.min(...xs),
    max: Math.max(...xs),
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
  };
}

/** Milliseconds for a console line: 3 significant-ish digits. */
export const ms = (x) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

const PREFIXES: [number, string][] = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'µ'],
  [1e-9, 'n'],
  [1e-12, 'p'],
];

/** Formats a value in SI notation with a prefix, e.g. `formatSi(4e-4, 'H')` gives "400 µH". */
export function formatSi(value: number | null | undefined, unit = '', digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  if (value === 0) {
    return unit ? `0 ${unit}` : '0';
  }
  const magnitude = Math.abs(value);
  // Units that are not scaled by prefixes: ratios, temperatures and percentages.
  const unscaled = unit === '°C' || unit === '%' || unit === '1' || unit === '';
  const found = PREFIXES.find(([scale]) => magnitude >= scale * 0.9995);
  const [scale, prefix] = unscaled || !found ? [1, ''] : found;
  const scaled = value / scale;
  const text = Number(scaled.toPrecision(digits)).toString();
  const shownUnit = unit === '1' ? '' : unit;
  return shownUnit ? `${text} ${prefix}${shownUnit}` : `${text}${prefix}`;
}

/** Formats a ratio in 0..1 as a percentage with the given decimals. */
export function formatPercent(ratio: number | null | undefined, decimals = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return '–';
  }
  return `${(ratio * 100).toFixed(decimals)} %`;
}

/** Formats an RFC 3339 time as a short local date and time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

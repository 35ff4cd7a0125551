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

/** Formats an RFC 3339 time as a short local date and time, to the minute or, with `seconds`, to the second. */
export function formatTime(iso: string | null | undefined, { seconds = false }: { seconds?: boolean } = {}): string {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  const timeStyle = seconds ? 'medium' : 'short';
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle });
}

/**
 * Formats the tick values of one chart axis with a shared SI prefix and just enough
 * decimals to tell neighbouring ticks apart, e.g. 397.5 V, 398 V, 398.5 V.
 */
export function formatTicks(ticks: number[], unit = ''): string[] {
  const finite = ticks.filter((tick) => Number.isFinite(tick));
  if (finite.length === 0) {
    return ticks.map(() => '');
  }
  const largest = Math.max(...finite.map((tick) => Math.abs(tick)));
  const unscaled = unit === '°C' || unit === '%' || unit === '1' || unit === '';
  const found = PREFIXES.find(([scale]) => largest >= scale * 0.9995);
  const [scale, prefix] = unscaled || !found || largest === 0 ? [1, ''] : found;
  const steps = finite.slice(1).map((tick, i) => Math.abs(tick - (finite[i] ?? tick))).filter((step) => step > 0);
  const step = steps.length > 0 ? Math.min(...steps) / scale : 1;
  const decimals = Math.min(9, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const shownUnit = unit === '1' ? '' : unit;
  return ticks.map((tick) => {
    if (!Number.isFinite(tick)) return '';
    const text = (tick / scale).toFixed(decimals);
    return shownUnit ? `${text} ${prefix}${shownUnit}` : `${text}${prefix}`;
  });
}

/** Readable names of option codes that design files use, by code. */
const OPTION_NAMES: Record<string, string> = {
  po: 'P&O (perturb and observe)',
  inccond: 'Incremental conductance',
  svpwm: 'SVPWM',
  spwm: 'Sine PWM',
  haydavies: 'Hay-Davies',
  isotropic: 'Isotropic sky',
  en50530_ramps: 'EN 50530 ramps',
  tmy3_day: 'TMY3 day',
};

/** Returns the label of a select option: the readable name with the code, or the code. */
export function optionLabel(code: string): string {
  const name = OPTION_NAMES[code];
  return name ? `${name} · ${code}` : code;
}

/**
 * Data shaping for the Analytics tab's extra charts: the loss sunburst, THD bars and the
 * power-factor gauge, the load sweep, and the thermal map. Each reader takes a run's
 * summary document (or a sweep result) and returns plain rows for the charts.
 */
import { deviceLosses, elementLosses, junctions, metricsOf, resultOf } from './summary';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export type LossType = 'conduction' | 'switching' | 'recovery' | 'coss' | 'other';

export const LOSS_TYPE_LABELS: Record<LossType, string> = {
  conduction: 'Conduction',
  switching: 'Switching',
  recovery: 'Recovery',
  coss: 'Coss',
  other: 'Total (not split)',
};

/** A slice of the inner ring: one device or circuit element [W]. */
export interface InnerSlice {
  name: string;
  value: number;
}

/** A slice of the outer ring: one loss type of one device [W], in the order of the inner ring. */
export interface OuterSlice {
  name: string;
  owner: string;
  type: LossType;
  value: number;
}

export interface LossRings {
  inner: InnerSlice[];
  outer: OuterSlice[];
  total: number;
}

/**
 * Builds the two rings of the loss sunburst. A device with split losses (conduction,
 * switching, recovery, Coss) gets one outer slice per non-zero type. A device or circuit
 * element without a split gets one outer slice of type `other`, so both rings span the
 * same total. Circuit elements are used only when the run has no per-device losses.
 */
export function lossRings(summary: unknown): LossRings {
  const inner: InnerSlice[] = [];
  const outer: OuterSlice[] = [];
  const devices = deviceLosses(summary).filter((row) => row.total > 0);
  if (devices.length > 0) {
    for (const row of devices) {
      inner.push({ name: row.device, value: row.total });
      const parts: [LossType, number][] = [
        ['conduction', row.conduction],
        ['switching', row.switching],
        ['recovery', row.recovery],
        ['coss', row.coss],
      ];
      const split = parts.filter(([, value]) => value > 0);
      const splitSum = split.reduce((sum, [, value]) => sum + value, 0);
      for (const [type, value] of split) outer.push({ name: `${row.device} ${LOSS_TYPE_LABELS[type]}`, owner: row.device, type, value });
      // A remainder (total above the split sum) stays visible as "not split".
      const rest = row.total - splitSum;
      if (rest > row.total * 1e-6) outer.push({ name: `${row.device} ${LOSS_TYPE_LABELS.other}`, owner: row.device, type: 'other', value: rest });
    }
  } else {
    for (const row of elementLosses(summary).filter((item) => item.power > 0)) {
      inner.push({ name: row.element, value: row.power });
      outer.push({ name: `${row.element} ${LOSS_TYPE_LABELS.other}`, owner: row.element, type: 'other', value: row.power });
    }
  }
  return { inner, outer, total: inner.reduce((sum, slice) => sum + slice.value, 0) };
}

/** One THD bar [%]. */
export interface ThdRow {
  name: string;
  label: string;
  kind: 'current' | 'voltage' | 'other';
  thd: number;
}

function thdKind(name: string): ThdRow['kind'] {
  if (/(^|_)i(_|$)|current/i.test(name)) return 'current';
  if (/(^|_)v(_|$)|voltage/i.test(name)) return 'voltage';
  return 'other';
}

/**
 * Returns the THD figures of a run in percent. Model kernels report metrics named `thd_*`
 * (unit `%`, or a ratio otherwise). Circuit summaries report a `thd` list of
 * `{signal, fundamental, thd, ...}` with `thd` as a ratio.
 */
export function thdRows(summary: unknown): ThdRow[] {
  const rows: ThdRow[] = [];
  for (const metric of metricsOf(summary)) {
    if (!/^thd/i.test(metric.name)) continue;
    const thd = metric.unit === '%' ? metric.value : metric.value * 100;
    rows.push({ name: metric.name, label: metric.name.replace(/^thd_?/i, '').replace(/_/g, ' ') || metric.name, kind: thdKind(metric.name), thd });
  }
  const list = resultOf(summary).thd;
  if (Array.isArray(list)) {
    for (const item of list) {
      if (!isObject(item)) continue;
      const name = String(item.signal ?? item.name ?? '');
      const ratio = num(item.thd);
      const thd = ratio !== undefined ? ratio * 100 : undefined;
      if (!name || thd === undefined) continue;
      rows.push({ name, label: name, kind: thdKind(name), thd });
    }
  }
  return rows;
}

/** The IEEE 519 reference for the total demand distortion of a current [%]. */
export const IEEE519_CURRENT_THD = 5;

/** Returns the power factor of a run (0 to 1), from a `pf` or `power_factor` metric. */
export function powerFactorOf(summary: unknown): number | undefined {
  const found = metricsOf(summary).find((item) => item.name === 'pf' || item.name === 'power_factor');
  if (!found) return undefined;
  const value = found.unit === '%' ? found.value / 100 : found.value;
  return Math.max(-1, Math.min(1, value));
}

/** Circuit parameter `r_load` of a run's design echo [Ω]. */
export function loadResistanceOf(summary: unknown): number | undefined {
  const design = resultOf(summary).design;
  if (!isObject(design)) return undefined;
  const parameters = design.parameters;
  if (!isObject(parameters)) return undefined;
  // Stored designs echo sections as {section, values}; inline ones as plain objects.
  const values = isObject(parameters.values) ? parameters.values : parameters;
  const value = num(values.r_load);
  return value !== undefined && value > 0 ? value : undefined;
}

/**
 * Load values for a sweep: `count` values spread geometrically from 0.25× to 4× the run's
 * load, rounded to 4 significant digits, with the run's own value kept exact.
 */
export function sweepLoadValues(rLoad: number, count = 6): number[] {
  const n = Math.max(5, Math.min(8, Math.round(count)));
  const values: number[] = [];
  for (let index = 0; index < n; index += 1) {
    const factor = 0.25 * 16 ** (index / (n - 1));
    values.push(Number((rLoad * factor).toPrecision(4)));
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

/** A row of a gathered sweep as the server sends it. */
export interface SweepRowLike {
  value: number;
  status: string;
  error?: string | null;
  metrics: Record<string, number>;
}

/** One point of the efficiency-versus-load chart. */
export interface SweepPoint {
  rLoad: number;
  pOut: number;
  efficiency: number;
}

const FINAL = new Set(['done', 'failed', 'cancelled', 'canceled', 'error']);

/** Returns whether every row of a sweep has reached a final state. */
export function sweepFinished(rows: SweepRowLike[]): boolean {
  return rows.length > 0 && rows.every((row) => FINAL.has(row.status));
}

/**
 * Efficiency [%] against output power [W] for the finished rows of a load sweep. The output
 * power is the `p_out` metric when the kernel reports one, else V_out²/R_load of the swept
 * resistance, else loss·η/(1 − η). Rows without an efficiency are left out; points are
 * ordered by output power.
 */
export function sweepPoints(rows: SweepRowLike[]): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const row of rows) {
    if (row.status !== 'done') continue;
    const metrics = row.metrics ?? {};
    const eta = num(metrics.efficiency);
    if (eta === undefined || eta <= 0) continue;
    const vOut = num(metrics.v_out_mean);
    const loss = num(metrics.loss_total);
    let pOut = num(metrics.p_out) ?? num(metrics.power_out);
    if (pOut === undefined && vOut !== undefined && row.value > 0) pOut = (vOut * vOut) / row.value;
    if (pOut === undefined && loss !== undefined && eta < 1) pOut = (loss * eta) / (1 - eta);
    if (pOut === undefined) continue;
    points.push({ rLoad: row.value, pOut: Math.abs(pOut), efficiency: (eta <= 1 ? eta * 100 : eta) });
  }
  return points.sort((a, b) => a.pOut - b.pOut);
}

/** One tile of the thermal map. */
export interface ThermalTile {
  device: string;
  part: string;
  tjMax: number;
  /** Position of Tj max on the scale from ambient (0) to the limit (1), clamped. */
  fraction: number;
  overLimit: boolean;
}

/** Ambient temperature of a run's thermal section [°C], 25 °C when the design gives none. */
export function ambientOf(summary: unknown): number {
  const design = resultOf(summary).design;
  const thermal = isObject(design) ? design.thermal : undefined;
  // A stored summary nests the section's values under `values`; a design file does not.
  let values: Record<string, unknown> = {};
  if (isObject(thermal)) {
    values = isObject(thermal.values) ? thermal.values : thermal;
  }
  return num(values.t_ambient) ?? num(values.ambient) ?? 25;
}

/**
 * Thermal-map tiles: Tj max of each device placed on the scale ambient..limit. `partLimits`
 * gives Tj max ratings by part name; `fallbackLimit` is used for a device without one.
 */
export function thermalTiles(summary: unknown, partLimits: Record<string, number>, fallbackLimit: number): { tiles: ThermalTile[]; ambient: number } {
  const ambient = ambientOf(summary);
  const parts = new Map(deviceLosses(summary).map((row) => [row.device, row.part]));
  const tiles = junctions(summary).map((junction) => {
    const part = parts.get(junction.device) ?? '';
    const limit = partLimits[part] ?? fallbackLimit;
    const span = limit - ambient;
    const fraction = span > 0 ? Math.max(0, Math.min(1, (junction.tjMax - ambient) / span)) : 1;
    return { device: junction.device, part, tjMax: junction.tjMax, fraction, overLimit: junction.tjMax > limit };
  });
  return { tiles, ambient };
}

/** Colour of a scale position 0..1, from blue (ambient) over yellow to red (limit). */
export function heatColor(fraction: number): string {
  const t = Math.max(0, Math.min(1, fraction));
  // Hue 220 (blue) to 0 (red), through 50 (yellow) in the middle of the scale.
  const hue = t < 0.5 ? 220 - (220 - 50) * (t / 0.5) : 50 - 50 * ((t - 0.5) / 0.5);
  return `hsl(${hue.toFixed(0)} 85% ${t < 0.2 ? 45 : 50}%)`;
}

/** Text colour that reads on `heatColor(fraction)`: dark on the light yellows and greens, white elsewhere. */
export function heatTextColor(fraction: number): string {
  const t = Math.max(0, Math.min(1, fraction));
  return t > 0.2 && t < 0.8 ? '#111827' : '#ffffff';
}

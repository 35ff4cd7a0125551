/**
 * Readers of a run's summary document (`Run.summary`): `{kind, result, signals, steps}`,
 * where `result` is the circuit summary (ports, efficiency, losses, semiconductors) or the
 * results of a model kernel (drive, drive cycle, grid-tie, PV). The readers look values
 * up by name and return undefined for what a kernel does not report.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Returns the `result` object of a summary document, or an empty object. */
export function resultOf(summary: unknown): JsonObject {
  return isObject(summary) && isObject(summary.result) ? summary.result : {};
}

/** Finds the first number under any of the keys, searching nested objects breadth-first. */
export function findNumber(root: unknown, names: string[], maxDepth = 3): number | undefined {
  let level: unknown[] = [root];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth += 1) {
    const next: unknown[] = [];
    for (const node of level) {
      if (!isObject(node)) continue;
      for (const name of names) {
        const value = num(node[name]);
        if (value !== undefined) return value;
      }
      for (const value of Object.values(node)) {
        if (isObject(value)) next.push(value);
      }
    }
    level = next;
  }
  return undefined;
}

/** Losses of one switch position, split as the Analytics tab draws them [W]. */
export interface DeviceLossRow {
  device: string;
  part: string;
  conduction: number;
  switching: number;
  recovery: number;
  coss: number;
  total: number;
}

/** Per-device datasheet losses from `semiconductors.devices` (circuit kernels) or a model's device table. */
export function deviceLosses(summary: unknown): DeviceLossRow[] {
  const result = resultOf(summary);
  const semis = isObject(result.semiconductors) ? result.semiconductors : result;
  const devices = Array.isArray(semis.devices) ? semis.devices : [];
  if (devices.length === 0) {
    return modelDeviceLosses(summary);
  }
  return devices.filter(isObject).map((device) => {
    const conduction = (num(device.conduction_forward_w) ?? 0) + (num(device.conduction_reverse_w) ?? 0) + (num(device.conduction_w) ?? 0);
    const switching = (num(device.turn_on_w) ?? 0) + (num(device.turn_off_w) ?? 0) + (num(device.switching_w) ?? 0);
    const recovery = num(device.recovery_w) ?? 0;
    const coss = num(device.coss_w) ?? 0;
    return {
      device: String(device.position ?? device.name ?? 'device'),
      part: String(device.part ?? ''),
      conduction,
      switching,
      recovery,
      coss,
      total: num(device.total_w) ?? conduction + switching + recovery + coss,
    };
  });
}

/** Loss elements of the circuit summary (`losses`: element and power) [W]. */
export function elementLosses(summary: unknown): { element: string; power: number }[] {
  const result = resultOf(summary);
  const losses = Array.isArray(result.losses) ? result.losses : [];
  return losses
    .filter(isObject)
    .map((loss) => ({ element: String(loss.element ?? loss.name ?? '?'), power: num(loss.power) ?? num(loss.power_w) ?? 0 }))
    .filter((loss) => loss.power !== 0);
}

/** A scalar result of a model kernel (`result.metrics`). */
export interface Metric {
  name: string;
  unit: string;
  value: number;
  description: string;
}

/** A table of a model kernel (`result.tables`), e.g. a torque-speed envelope. */
export interface ResultTable {
  name: string;
  description: string;
  columns: { name: string; unit: string }[];
  rows: (number | null)[][];
}

export function metricsOf(summary: unknown): Metric[] {
  const result = resultOf(summary);
  const list = Array.isArray(result.metrics) ? result.metrics : [];
  return list.filter(isObject).flatMap((metric) => {
    const value = num(metric.value);
    return value === undefined
      ? []
      : [{ name: String(metric.name ?? ''), unit: String(metric.unit ?? ''), value, description: String(metric.description ?? '') }];
  });
}

export function tablesOf(summary: unknown): ResultTable[] {
  const result = resultOf(summary);
  const list = Array.isArray(result.tables) ? result.tables : [];
  return list.filter(isObject).map((table) => ({
    name: String(table.name ?? ''),
    description: String(table.description ?? ''),
    columns: (Array.isArray(table.columns) ? table.columns : [])
      .filter(isObject)
      .map((column) => ({ name: String(column.name ?? ''), unit: String(column.unit ?? '') })),
    rows: (Array.isArray(table.rows) ? table.rows : []).map((row) =>
      Array.isArray(row) ? row.map((cell) => (typeof cell === 'number' ? cell : null)) : [],
    ),
  }));
}

function metric(summary: unknown, name: string): Metric | undefined {
  return metricsOf(summary).find((item) => item.name === name);
}

/**
 * Per-device losses of a model kernel, from metrics named `loss_<position>` [W]; models
 * report the total per device only, so conduction and switching stay 0 there.
 */
function modelDeviceLosses(summary: unknown): DeviceLossRow[] {
  return metricsOf(summary)
    .filter((item) => /^loss_S\d+$/i.test(item.name))
    .map((item) => ({ device: item.name.slice(5), part: '', conduction: 0, switching: 0, recovery: 0, coss: 0, total: item.value }));
}

/** Junction temperatures per device position [°C]. */
export function junctions(summary: unknown): { device: string; tjMax: number; tjFinal: number | undefined }[] {
  const result = resultOf(summary);
  const semis = isObject(result.semiconductors) ? result.semiconductors : result;
  const list = Array.isArray(semis.junctions) ? semis.junctions : [];
  const fromCircuit = list.filter(isObject).flatMap((junction) => {
    const tjMax = num(junction.tj_max_c);
    return tjMax === undefined
      ? []
      : [{ device: String(junction.position ?? junction.name ?? 'device'), tjMax, tjFinal: num(junction.tj_final_c) }];
  });
  if (fromCircuit.length > 0) return fromCircuit;
  return metricsOf(summary)
    .filter((item) => /^tj_S\d+$/i.test(item.name))
    .map((item) => ({ device: item.name.slice(3), tjMax: item.value, tjFinal: undefined }));
}

/** Efficiency as a ratio in 0..1, preferring the one with datasheet losses. */
export function efficiencyOf(summary: unknown): number | undefined {
  const result = resultOf(summary);
  const circuit = findNumber(result, ['efficiency_with_datasheet_losses']) ?? num(result.efficiency);
  if (circuit !== undefined) return circuit;
  const found = ['efficiency_inverter_datasheet', 'inverter_efficiency', 'efficiency_inverter_circuit', 'mppt_efficiency']
    .map((name) => metric(summary, name))
    .find((item) => item !== undefined);
  if (!found) return undefined;
  return found.unit === '%' ? found.value / 100 : found.value;
}

export interface Figure {
  label: string;
  value: number;
  unit: string;
}

function metricFigure(summary: unknown, name: string, label: string): Figure | undefined {
  const item = metric(summary, name);
  if (!item) return undefined;
  // Energies in joules read better in kWh on a card.
  if (item.unit === 'J') return { label, value: item.value / 3.6e6, unit: 'kWh' };
  if (item.unit === '1' && /efficiency|pf|power_factor/.test(name)) return { label, value: item.value * 100, unit: '%' };
  return { label, value: item.value, unit: item.unit === '1' ? '' : item.unit };
}

/** Metrics shown on cards for each model kernel, by their `result.design.kernel`. */
const MODEL_FIGURES: Record<string, [string, string][]> = {
  pmsm_drive: [
    ['torque', 'Torque'],
    ['speed_rpm', 'Speed'],
    ['p_mech', 'P mech'],
    ['efficiency_inverter_datasheet', 'Inverter η'],
  ],
  drive_cycle: [
    ['battery_energy_per_km', 'Consumption'],
    ['inverter_efficiency', 'Inverter η'],
    ['tj_peak', 'Tj peak'],
    ['distance', 'Distance'],
  ],
  pv_mppt: [
    ['energy_harvested', 'Harvested'],
    ['mppt_efficiency', 'MPPT η'],
    ['energy_available', 'Available'],
  ],
  grid_tie: [
    ['p', 'P grid'],
    ['thd_i_grid', 'THD i'],
    ['pf', 'Power factor'],
    ['i_grid_rms', 'I grid rms'],
  ],
};

/** Returns the kernel that produced a summary, from its design echo. */
export function kernelOf(summary: unknown): string | undefined {
  const design = resultOf(summary).design;
  return isObject(design) && typeof design.kernel === 'string' ? design.kernel : undefined;
}

/** Key figures of a run for cards: label, value and unit, only those the summary has, at most `limit`. */
export function keyFigures(summary: unknown, limit = 4): Figure[] {
  const kernel = kernelOf(summary);
  const modelFigures = kernel ? MODEL_FIGURES[kernel] : undefined;
  if (modelFigures && metricsOf(summary).length > 0) {
    const figures: Figure[] = [];
    for (const [name, label] of modelFigures) {
      const figure = metricFigure(summary, name, label);
      if (figure) figures.push(figure);
    }
    if (figures.length > 0) return figures.slice(0, limit);
  }

  const result = resultOf(summary);
  const figures: Figure[] = [];
  const efficiency = efficiencyOf(summary);
  if (efficiency !== undefined) figures.push({ label: 'Efficiency', value: efficiency * 100, unit: '%' });

  const outputVoltage = isObject(result.output_voltage) ? num(result.output_voltage.mean) : undefined;
  if (outputVoltage !== undefined) figures.push({ label: 'V out', value: outputVoltage, unit: 'V' });

  const ports = Array.isArray(result.ports) ? result.ports.filter(isObject) : [];
  const outputPort = ports.find((port) => String(port.name).toLowerCase().includes('out')) ?? ports[ports.length - 1];
  const power = outputPort ? num(outputPort.power) : undefined;
  if (power !== undefined) figures.push({ label: 'P out', value: Math.abs(power), unit: 'W' });

  // With datasheet losses the efficiency counts the semiconductors' losses plus the
  // other circuit losses (inductor and capacitor resistance), so the loss figure does too.
  const semis = isObject(result.semiconductors) ? result.semiconductors : {};
  const semiLoss = num(semis.total_w);
  const loss = semiLoss !== undefined ? semiLoss + (num(semis.other_losses_w) ?? 0) : num(result.loss_total);
  if (loss !== undefined) figures.push({ label: 'Losses', value: loss, unit: 'W' });

  const tj = junctions(summary);
  if (tj.length > 0) figures.push({ label: 'Tj max', value: Math.max(...tj.map((junction) => junction.tjMax)), unit: '°C' });

  return figures.slice(0, limit);
}

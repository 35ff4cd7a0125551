// Inputs and starting values of the lab forms, in the units and ranges of the API's
// request types (docs/calculators.md). The starting values come from examples/.
import type { CalcInput } from './calcForm';
import type { FocTuningRequest, LclRequest, LlcTankRequest, RippleRequest } from './labsApi';

export const RIPPLE_INPUTS: CalcInput[] = [
  { key: 'topology', label: 'Topology', kind: 'enum', options: ['buck', 'boost', 'buck_boost'], description: 'buck_boost is the inverting buck-boost' },
  { key: 'v_in', label: 'Input voltage', unit: 'V', bounds: { min: 1e-3, max: 1e5 } },
  { key: 'v_out', label: 'Output voltage', unit: 'V', bounds: { min: 1e-3, max: 1e5 }, description: 'magnitude; below v_in for a buck, above it for a boost' },
  { key: 'f_sw', label: 'Switching frequency per phase', unit: 'Hz', bounds: { min: 1, max: 1e8 } },
  { key: 'l', label: 'Inductance per phase', unit: 'H', bounds: { min: 1e-9, max: 1 } },
  { key: 'phases', label: 'Interleaved phases', kind: 'integer', bounds: { min: 1, max: 12 }, description: 'shifted by 360°/N' },
  { key: 'i_out', label: 'Output current', unit: 'A', bounds: { min: 0, max: 1e5 }, optional: true, description: 'total of all phases; sets the conduction mode and peak' },
];

/** The two-phase 250 V to 400 V, 65 kHz stage of examples/obc-interleaved-boost-2ph.toml. */
export const RIPPLE_DEFAULTS: RippleRequest = { topology: 'boost', v_in: 250, v_out: 400, f_sw: 65e3, l: 400e-6, phases: 2, i_out: 9 };

/** Returns the output voltage that sets the CCM duty `duty` at input voltage `vIn`. */
export function outputForDuty(topology: RippleRequest['topology'], vIn: number, duty: number): number {
  if (topology === 'buck') return vIn * duty;
  if (topology === 'boost') return vIn / (1 - duty);
  return (vIn * duty) / (1 - duty);
}

/**
 * Duties of the cancellation sweep: every 0.02 from 0.02 to 0.98 and each k/N, where the
 * summed ripple of N phases cancels completely.
 */
export function sweepDuties(phases: number): number[] {
  const duties = new Set<number>();
  for (let step = 1; step < 50; step += 1) duties.add(Number((step * 0.02).toFixed(4)));
  for (let k = 1; k < phases; k += 1) duties.add(Number((k / phases).toFixed(6)));
  return [...duties].sort((a, b) => a - b);
}

export const LLC_INPUTS: CalcInput[] = [
  { key: 'l_r', label: 'Series inductance', unit: 'H', bounds: { min: 1e-9, max: 1 } },
  { key: 'c_r', label: 'Series capacitance', unit: 'F', bounds: { min: 1e-12, max: 1 } },
  { key: 'l_m', label: 'Magnetising inductance', unit: 'H', bounds: { min: 1e-9, max: 10 } },
  { key: 'n', label: 'Turns ratio', bounds: { min: 1e-3, max: 1000 }, description: 'primary to secondary' },
  {
    key: 'loads',
    label: 'Load resistances',
    unit: 'Ω',
    kind: 'numberList',
    itemBounds: { min: 1e-3, max: 1e6 },
    minItems: 1,
    maxItems: 8,
    description: '1 to 8 values, one curve each',
  },
  { key: 'f_min', label: 'Lowest frequency', unit: 'Hz', bounds: { exclusiveMin: 0 } },
  { key: 'f_max', label: 'Highest frequency', unit: 'Hz', bounds: { exclusiveMin: 0, max: 1e9 }, description: 'above f_min' },
  { key: 'points', label: 'Points per curve', kind: 'integer', bounds: { min: 2, max: 2000 }, optional: true, serverDefault: 400 },
];

/**
 * The tank of examples/llc-400v-48v.toml (f_r = 100 kHz) at 100, 50, 20 and 10 % of its
 * 1 kW load at 48 V.
 */
export const LLC_DEFAULTS: LlcTankRequest = {
  l_r: 20e-6,
  c_r: 126.65e-9,
  l_m: 100e-6,
  n: 4.1,
  loads: [2.304, 4.608, 11.52, 23.04],
  f_min: 30e3,
  f_max: 300e3,
  points: 400,
};

export const LCL_INPUTS: CalcInput[] = [
  { key: 'p_rated', label: 'Rated power', unit: 'W', bounds: { min: 1, max: 1e8 } },
  { key: 'v_ll', label: 'Grid line-to-line voltage', unit: 'V', bounds: { min: 1, max: 1e5 }, description: 'rms' },
  { key: 'f_grid', label: 'Grid frequency', unit: 'Hz', bounds: { min: 1, max: 1000 } },
  { key: 'f_sw', label: 'Switching frequency', unit: 'Hz', bounds: { min: 100, max: 1e7 } },
  { key: 'v_dc', label: 'DC-link voltage', unit: 'V', bounds: { min: 1, max: 1e5 } },
  { key: 'ripple', label: 'Allowed ripple', bounds: { min: 0.05, max: 0.5 }, optional: true, serverDefault: 0.2, description: 'peak-to-peak, as a fraction of the rated peak current' },
  { key: 'c_fraction', label: 'Capacitor reactive power', bounds: { min: 0.001, max: 0.1 }, optional: true, serverDefault: 0.05, description: 'as a fraction of the rated power' },
  { key: 'l_ratio', label: 'Inductance ratio L2/L1', bounds: { min: 0.1, max: 2 }, optional: true, serverDefault: 0.5 },
];

/** The 10 kW, 400 V, 16 kHz inverter of examples/grid-tie-10kw-lcl.toml. */
export const LCL_DEFAULTS: LclRequest = { p_rated: 10e3, v_ll: 400, f_grid: 50, f_sw: 16e3, v_dc: 700, ripple: 0.2, c_fraction: 0.05, l_ratio: 0.5 };

export const FOC_INPUTS: CalcInput[] = [
  { key: 'r_s', label: 'Stator resistance', unit: 'Ω', bounds: { min: 0, max: 100 } },
  { key: 'l_d', label: 'd-axis inductance', unit: 'H', bounds: { min: 1e-7, max: 1 }, description: 'at most L_q' },
  { key: 'l_q', label: 'q-axis inductance', unit: 'H', bounds: { min: 1e-7, max: 1 } },
  { key: 'psi', label: 'Magnet flux linkage', unit: 'Wb', bounds: { min: 1e-5, max: 10 } },
  { key: 'pole_pairs', label: 'Pole pairs', kind: 'integer', bounds: { min: 1, max: 100 } },
  { key: 'j', label: 'Inertia', unit: 'kg·m²', bounds: { min: 1e-8, max: 1e3 }, description: 'rotor and load' },
  { key: 'b', label: 'Viscous friction', unit: 'N·m·s/rad', bounds: { min: 0, max: 1e3 }, optional: true, serverDefault: 0 },
  { key: 'current_bandwidth', label: 'Current bandwidth', unit: 'Hz', bounds: { exclusiveMin: 0 }, description: 'up to 0.2·f_sample/2π' },
  { key: 'speed_bandwidth', label: 'Speed bandwidth', unit: 'Hz', bounds: { exclusiveMin: 0 }, description: 'up to a fifth of the current bandwidth' },
  { key: 'f_sample', label: 'Sampling rate', unit: 'Hz', bounds: { min: 100, max: 1e6 } },
  { key: 'i_max', label: 'Current limit', unit: 'A', bounds: { min: 1e-3, max: 1e4 }, description: 'peak' },
  { key: 'v_dc', label: 'DC-link voltage', unit: 'V', bounds: { min: 1, max: 1e4 } },
  { key: 'i_q_step', label: 'q-current step', unit: 'A', bounds: { min: -1e4, max: 1e4 }, description: 'within ±i_max, at standstill' },
  { key: 'speed_step', label: 'Speed step', unit: 'rpm', bounds: { min: -1e5, max: 1e5 }, description: 'from standstill' },
  { key: 't_end', label: 'Step duration', unit: 's', bounds: { exclusiveMin: 0, max: 10 }, optional: true, description: 'default: long enough to settle' },
];

export const FOC_GROUPS = [
  { title: 'Machine', keys: ['r_s', 'l_d', 'l_q', 'psi', 'pole_pairs', 'j', 'b'] },
  { title: 'Control loops', keys: ['current_bandwidth', 'speed_bandwidth', 'f_sample'] },
  { title: 'Limits', keys: ['i_max', 'v_dc'] },
  { title: 'Step tests', keys: ['i_q_step', 'speed_step', 't_end'] },
];

/**
 * The interior PMSM and 400 V inverter of examples/ev-traction-400v.toml: 20 kHz
 * switching sampled twice per period, 500 Hz current loop and 500 A limit. The speed-loop
 * bandwidth and the step sizes are not in that file and are chosen for this test.
 */
export const FOC_DEFAULTS: FocTuningRequest = {
  r_s: 10e-3,
  l_d: 0.12e-3,
  l_q: 0.3e-3,
  psi: 0.05,
  pole_pairs: 4,
  j: 0.05,
  current_bandwidth: 500,
  speed_bandwidth: 20,
  f_sample: 40e3,
  i_max: 500,
  v_dc: 400,
  i_q_step: 250,
  speed_step: 3000,
};

export const PV_INPUTS: CalcInput[] = [
  {
    key: 'irradiance',
    label: 'Irradiance levels',
    unit: 'W/m²',
    kind: 'numberList',
    itemBounds: { exclusiveMin: 0, max: 1500 },
    minItems: 1,
    maxItems: 6,
    description: 'plane of array, 1 to 6 values, one curve each',
  },
  { key: 't_cell', label: 'Cell temperature', unit: '°C', bounds: { min: -40, max: 100 } },
  { key: 'series', label: 'Modules in series', kind: 'integer', bounds: { min: 1, max: 100 } },
  { key: 'points', label: 'Points per curve', kind: 'integer', bounds: { min: 2, max: 2000 }, optional: true, serverDefault: 200 },
];

/** The 12-module CS6K-275M string of examples/pv-string-mppt.toml at five irradiance levels. */
export const PV_DEFAULTS = {
  module: 'Canadian Solar Inc. CS6K-275M',
  irradiance: [1000, 800, 600, 400, 200],
  t_cell: 25,
  series: 12,
};

export const MPPT_INPUTS: CalcInput[] = [
  { key: 'algorithm', label: 'Algorithm', kind: 'enum', options: ['po', 'inccond'], description: 'perturb and observe, or incremental conductance' },
  { key: 'step_size', label: 'Voltage step', unit: 'V', bounds: { exclusiveMin: 0, max: 1000 } },
  { key: 'mppt_rate', label: 'Update rate', unit: 'Hz', bounds: { exclusiveMin: 0, max: 1000 } },
  { key: 'ramp_set', label: 'Ramps', kind: 'enum', options: ['both', 'low_medium', 'medium_high'], description: '10–50 % and/or 30–100 % of 1000 W/m²' },
];

/** The P&O tracker of examples/pv-string-mppt.toml on both EN 50530 ramp sets. */
export const MPPT_DEFAULTS = { algorithm: 'po', step_size: 1, mppt_rate: 10, ramp_set: 'both' };

/** Messages of the values that break a rule between fields, keyed by request field. */
export type CrossErrors = Record<string, string>;

function ruleBroken(value: unknown, accepted: string): string {
  return `${String(value)} is out of range: accepted ${accepted}`;
}

/** Checks that the output voltage suits the topology, as the ripple calculator requires. */
export function checkRipple(body: Record<string, unknown>): CrossErrors {
  const vIn = body.v_in as number;
  const vOut = body.v_out as number;
  if (body.topology === 'buck' && !(vOut < vIn)) return { v_out: ruleBroken(vOut, `below v_in = ${vIn} V for a buck`) };
  if (body.topology === 'boost' && !(vOut > vIn)) return { v_out: ruleBroken(vOut, `above v_in = ${vIn} V for a boost`) };
  return {};
}

/** Checks that the frequency range is not empty. */
export function checkLlc(body: Record<string, unknown>): CrossErrors {
  const fMin = body.f_min as number;
  const fMax = body.f_max as number;
  return fMax > fMin ? {} : { f_max: ruleBroken(fMax, `above f_min = ${fMin} Hz`) };
}

/**
 * Checks the FOC rules between fields: L_d ≤ L_q, a current loop up to 0.2·f_sample/2π,
 * a speed loop up to a fifth of it, and |i_q_step| ≤ i_max. The server checks these and
 * the rules that need the plant (the speed step against f_sample, the step count) too.
 */
export function checkFoc(body: Record<string, unknown>): CrossErrors {
  const errors: CrossErrors = {};
  const lD = body.l_d as number;
  const lQ = body.l_q as number;
  const currentBandwidth = body.current_bandwidth as number;
  const currentLimit = (0.2 * (body.f_sample as number)) / (2 * Math.PI);
  const iMax = body.i_max as number;
  if (lD > lQ) errors.l_d = ruleBroken(lD, `at most l_q = ${lQ} H`);
  if (currentBandwidth > currentLimit) {
    errors.current_bandwidth = ruleBroken(currentBandwidth, `up to 0.2·f_sample/2π = ${Number(currentLimit.toPrecision(4))} Hz`);
  }
  if ((body.speed_bandwidth as number) > currentBandwidth / 5) {
    errors.speed_bandwidth = ruleBroken(body.speed_bandwidth, `up to current_bandwidth/5 = ${Number((currentBandwidth / 5).toPrecision(4))} Hz`);
  }
  if (Math.abs(body.i_q_step as number) > iMax) errors.i_q_step = ruleBroken(body.i_q_step, `from −i_max to i_max = ${iMax} A`);
  return errors;
}

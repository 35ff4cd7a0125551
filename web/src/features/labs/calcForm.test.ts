import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/client';
import { logTicks } from './axes';
import { requestOf, serverErrorsOf, specsOf, validateValues, valuesOf } from './calcForm';
import { lclAdmittance } from './calculators/lclResponse';
import { checkFoc, checkLlc, checkRipple, FOC_DEFAULTS, LLC_DEFAULTS, LLC_INPUTS, outputForDuty, RIPPLE_DEFAULTS, RIPPLE_INPUTS, sweepDuties } from './inputs';
import { splitAxis } from './partCurves';

function problem(errors: { field: string; message: string }[]): ApiError {
  return new ApiError(422, { type: 'https://pelab.dev/problems/invalid-field', title: 'Unprocessable Entity', status: 422, detail: 'x', errors }, 'x');
}

describe('calculator form values', () => {
  const ripple = specsOf('ripple', RIPPLE_INPUTS);
  const llc = specsOf('llc', LLC_INPUTS);

  it('writes defaults in engineering notation', () => {
    const values = valuesOf(ripple, RIPPLE_DEFAULTS);
    expect(values['ripple.l']).toBe('400e-6');
    expect(values['ripple.f_sw']).toBe('65000');
    expect(values['ripple.topology']).toBe('boost');
    expect(valuesOf(llc, LLC_DEFAULTS)['llc.loads']).toBe('2.304, 4.608, 11.52, 23.04');
  });

  it('accepts every default', () => {
    expect(validateValues(ripple, valuesOf(ripple, RIPPLE_DEFAULTS))).toEqual({});
    expect(validateValues(llc, valuesOf(llc, LLC_DEFAULTS))).toEqual({});
  });

  it('round-trips defaults to the request', () => {
    expect(requestOf(ripple, valuesOf(ripple, RIPPLE_DEFAULTS))).toEqual(RIPPLE_DEFAULTS);
    expect(requestOf(llc, valuesOf(llc, LLC_DEFAULTS))).toEqual(LLC_DEFAULTS);
  });

  it('leaves an empty optional value out', () => {
    const values = { ...valuesOf(ripple, RIPPLE_DEFAULTS), 'ripple.i_out': '' };
    expect(requestOf(ripple, values)).not.toHaveProperty('i_out');
    expect(validateValues(ripple, values)).toEqual({});
  });

  it('reads SI prefixes', () => {
    const values = { ...valuesOf(ripple, RIPPLE_DEFAULTS), 'ripple.l': '330u', 'ripple.f_sw': '100k' };
    const body = requestOf(ripple, values);
    expect(body.l).toBeCloseTo(330e-6, 15);
    expect(body.f_sw).toBe(100e3);
  });

  it('rejects values out of range with the range', () => {
    const values = { ...valuesOf(ripple, RIPPLE_DEFAULTS), 'ripple.l': '2', 'ripple.phases': '13', 'ripple.v_in': '' };
    const errors = validateValues(ripple, values);
    expect(errors['ripple.l']).toBe('2 is out of range: accepted ≥ 1e-9 and ≤ 1 H');
    expect(errors['ripple.phases']).toBe('13 is out of range: accepted ≥ 1 and ≤ 12');
    expect(errors['ripple.v_in']).toBe('required');
  });

  it('limits the number of loads', () => {
    const values = { ...valuesOf(llc, LLC_DEFAULTS), 'llc.loads': '1, 2, 3, 4, 5, 6, 7, 8, 9' };
    expect(validateValues(llc, values)['llc.loads']).toBe('takes at most 8 values');
  });
});

describe('serverErrorsOf', () => {
  const llc = specsOf('llc', LLC_INPUTS);

  it('maps a request field to its input', () => {
    const { errors, other } = serverErrorsOf(llc, problem([{ field: 'f_max', message: '2000 (accepted: 10000.00001 to 1e9 Hz)' }]));
    expect(errors).toEqual({ 'llc.f_max': '2000 (accepted: 10000.00001 to 1e9 Hz)' });
    expect(other).toEqual([]);
  });

  it('maps a list item to the list and names the item', () => {
    const { errors } = serverErrorsOf(llc, problem([{ field: 'loads[2]', message: '-1 (accepted: 1e-3 to 1e6 Ω)' }]));
    expect(errors['llc.loads']).toBe('value 3: -1 (accepted: 1e-3 to 1e6 Ω)');
  });

  it('drops the section of a simulation field', () => {
    const { errors } = serverErrorsOf(llc, problem([{ field: 'controller.n', message: 'bad' }]));
    expect(errors['llc.n']).toBe('bad');
  });

  it('keeps unknown fields apart', () => {
    const { errors, other } = serverErrorsOf(llc, problem([{ field: 'module', message: 'not in the table' }]));
    expect(errors).toEqual({});
    expect(other).toEqual(['module: not in the table']);
  });

  it('ignores errors that are not API errors', () => {
    expect(serverErrorsOf(llc, new Error('boom'))).toEqual({ errors: {}, other: [] });
  });
});

describe('ripple sweep', () => {
  it('includes every full-cancellation duty', () => {
    const duties = sweepDuties(3);
    expect(duties).toContain(0.333333);
    expect(duties).toContain(0.666667);
    expect(duties[0]).toBe(0.02);
    expect(duties[duties.length - 1]).toBe(0.98);
    expect(new Set(duties).size).toBe(duties.length);
  });

  it('inverts the duty of each topology', () => {
    expect(outputForDuty('buck', 400, 0.25)).toBe(100);
    expect(outputForDuty('boost', 250, 0.375)).toBeCloseTo(400, 12);
    expect(outputForDuty('buck_boost', 100, 0.5)).toBeCloseTo(100, 12);
  });
});

describe('rules between fields', () => {
  it('accept the defaults', () => {
    expect(checkRipple({ ...RIPPLE_DEFAULTS })).toEqual({});
    expect(checkLlc({ ...LLC_DEFAULTS })).toEqual({});
    expect(checkFoc({ ...FOC_DEFAULTS })).toEqual({});
  });

  it('match the output voltage to the topology', () => {
    expect(checkRipple({ ...RIPPLE_DEFAULTS, topology: 'buck' })).toEqual({ v_out: '400 is out of range: accepted below v_in = 250 V for a buck' });
    expect(checkRipple({ ...RIPPLE_DEFAULTS, v_out: 200 })).toEqual({ v_out: '200 is out of range: accepted above v_in = 250 V for a boost' });
    expect(checkRipple({ ...RIPPLE_DEFAULTS, topology: 'buck_boost', v_out: 100 })).toEqual({});
  });

  it('need f_max above f_min', () => {
    expect(checkLlc({ ...LLC_DEFAULTS, f_max: 30e3 })).toEqual({ f_max: '30000 is out of range: accepted above f_min = 30000 Hz' });
  });

  it('bound the FOC loops and limits', () => {
    const errors = checkFoc({ ...FOC_DEFAULTS, l_d: 4e-4, current_bandwidth: 2000, speed_bandwidth: 500, i_q_step: -600 });
    expect(errors.l_d).toBe('0.0004 is out of range: accepted at most l_q = 0.0003 H');
    expect(errors.current_bandwidth).toBe('2000 is out of range: accepted up to 0.2·f_sample/2π = 1273 Hz');
    expect(errors.speed_bandwidth).toBe('500 is out of range: accepted up to current_bandwidth/5 = 400 Hz');
    expect(errors.i_q_step).toBe('-600 is out of range: accepted from −i_max to i_max = 500 A');
  });
});

describe('lclAdmittance', () => {
  // The 10 kW design of docs/calculators.md: L1 = 2.8577 mH, L2 = 1.4289 mH, C_f = 9.9472 µF, f_res = 1635 Hz.
  const l1 = 2.8577e-3;
  const l2 = 1.4289e-3;
  const cf = 9.9472e-6;
  const points = lclAdmittance(l1, l2, cf, 3.262, 50, 30e3, 2001);

  it('peaks near the resonance when undamped', () => {
    const peak = points.reduce((best, point) => (point.undamped > best.undamped ? point : best));
    expect(Math.abs(peak.f - 1635) / 1635).toBeLessThan(0.005);
  });

  it('damps the resonance', () => {
    const peak = points.reduce((best, point) => (point.undamped > best.undamped ? point : best));
    expect(peak.damped).toBeLessThan(peak.undamped / 10);
  });

  it('matches the series inductance at low frequency', () => {
    // At 50 Hz C_f shifts the admittance by ω²·L1·L2·C_f/(L1 + L2), about 0.1 %.
    const first = points[0];
    const inductive = 1 / (2 * Math.PI * 50 * (l1 + l2));
    expect(Math.abs((first?.undamped ?? 0) / inductive - 1)).toBeLessThan(0.002);
    expect((first?.damped ?? 0) / (first?.undamped ?? 1)).toBeCloseTo(1, 2);
  });
});

describe('axes', () => {
  it('puts log ticks on 1-2-5 steps', () => {
    expect(logTicks(30e3, 300e3)).toEqual([30e3, 50e3, 70e3, 100e3, 200e3, 300e3]);
    expect(logTicks(10, 100e3)).toEqual([10, 30, 100, 300, 1000, 3000, 10e3, 30e3, 100e3]);
    expect(logTicks(0, 10)).toEqual([]);
  });

  it('splits an axis name into label and unit', () => {
    expect(splitAxis('V_DS [V]')).toEqual({ label: 'V_DS', unit: 'V' });
    expect(splitAxis('C_oss [F]')).toEqual({ label: 'C_oss', unit: 'F' });
    expect(splitAxis('ratio')).toEqual({ label: 'ratio', unit: '' });
  });
});

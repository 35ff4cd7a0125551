import { describe, expect, it } from 'vitest';
import {
  describeBounds,
  fieldsOf,
  formatNumberInput,
  formPathOf,
  labelOf,
  parseNumber,
  readField,
  sectionsFromValues,
  validateAll,
  valuesFromDesign,
  type FieldSpec,
} from './schemaForm';
import { interleavedBoostSchema, pmsmDriveSchema } from '@/test/schemas';

const schema = interleavedBoostSchema;
const fields = fieldsOf(schema, { parameters: ['phases', 'v_in', 'l'] });

function field(path: string): FieldSpec {
  const found = fields.find((item) => item.path === path);
  if (!found) throw new Error(`no field ${path}`);
  return found;
}

describe('parseNumber', () => {
  it.each([
    ['400e-6', 400e-6],
    ['0.1', 0.1],
    ['400u', 400e-6],
    ['400µ', 400e-6],
    ['65k', 65e3],
    ['2.2M', 2.2e6],
    ['3m', 3e-3],
    [' -1.5 ', -1.5],
    ['.5', 0.5],
  ])('reads %s', (text, expected) => {
    expect(parseNumber(text)).toBeCloseTo(expected, 15);
  });

  it.each(['', 'abc', '1e', '1.2.3', '5x', 'NaN', 'Infinity', '1e999'])('rejects %s', (text) => {
    expect(parseNumber(text)).toBeNaN();
  });
});

describe('fieldsOf', () => {
  it('follows the kernel order first', () => {
    const parameters = fields.filter((item) => item.section === 'parameters').map((item) => item.key);
    expect(parameters.slice(0, 3)).toEqual(['phases', 'v_in', 'l']);
  });

  it('carries units, bounds and required flags', () => {
    const inductance = field('parameters.l');
    expect(inductance.unit).toBe('H');
    expect(inductance.required).toBe(true);
    expect(inductance.bounds).toEqual({ exclusiveMin: 0, max: 10 });
    expect(field('parameters.phases').kind).toBe('integer');
    expect(field('parameters.rectifier').options).toEqual(['diode', 'synchronous']);
    expect(field('parameters.l_tolerance').kind).toBe('numberList');
    expect(field('control.v_ref').required).toBe(false);
  });
});

describe('readField', () => {
  it('accepts a value in range', () => {
    expect(readField(field('parameters.l'), '400u')).toEqual({ value: 400e-6 });
  });

  it('rejects the exclusive minimum with the range', () => {
    expect(readField(field('parameters.l'), '0').error).toBe('0 is out of range: accepted > 0 and ≤ 10 H');
  });

  it('rejects a value above the maximum', () => {
    expect(readField(field('parameters.l'), '11').error).toContain('accepted > 0 and ≤ 10 H');
  });

  it('rejects text that is not a number', () => {
    expect(readField(field('parameters.v_in'), 'abc').error).toContain('is not a number');
  });

  it('rejects a fraction for an integer', () => {
    expect(readField(field('parameters.phases'), '2.5').error).toBe('2.5 is not a whole number');
    expect(readField(field('parameters.phases'), '5').error).toContain('accepted ≥ 2 and ≤ 4');
  });

  it('requires required fields and skips empty optional ones', () => {
    expect(readField(field('parameters.v_in'), '  ').error).toBe('required');
    expect(readField(field('control.v_ref'), '')).toEqual({});
  });

  it('checks list items and their count', () => {
    expect(readField(field('parameters.l_tolerance'), '0, 0.1')).toEqual({ value: [0, 0.1] });
    expect(readField(field('parameters.l_tolerance'), '0, 0.9').error).toContain('value 2');
    expect(readField(field('parameters.l_tolerance'), '0, 0, 0, 0, 0').error).toBe('takes at most 4 values');
  });

  it('rejects an enum value outside the choices', () => {
    expect(readField(field('parameters.rectifier'), 'magic').error).toContain('diode, synchronous');
  });
});

describe('pair lists', () => {
  const found = fieldsOf(pmsmDriveSchema).find((item) => item.path === 'control.speed_ref');
  if (!found) throw new Error('the pmsm_drive schema has no control.speed_ref');
  const speedRef = found;

  it('reads one time, value pair per line', () => {
    expect(readField(speedRef, '0, 1000\n0.02, 6000')).toEqual({ value: [[0, 1000], [0.02, 6000]] });
  });

  it('rejects a line without two numbers', () => {
    expect(readField(speedRef, '0, 1000\n0.02').error).toBe('line 2: write "time, value"');
  });

  it('checks the value range', () => {
    expect(readField(speedRef, '0, 2e6').error).toContain('line 1, value');
  });
});

describe('form round trip', () => {
  const design = {
    kernel: 'interleaved_boost',
    parameters: { phases: 2, v_in: 250, l: 400e-6, c: 220e-6, r_load: 44.4, f_sw: 65e3, l_tolerance: [0, 0.1] },
    control: { mode: 'voltage', v_ref: 400 },
    simulation: { t_stop: 0.02 },
  };

  it('fills values in engineering notation', () => {
    const values = valuesFromDesign(fields, design);
    expect(values['parameters.l']).toBe('400e-6');
    expect(values['parameters.f_sw']).toBe('65000');
    expect(values['parameters.l_tolerance']).toBe('0, 0.1');
    expect(values['control.r_c']).toBeUndefined();
  });

  it('rebuilds the sections without empty optional fields', () => {
    const values = valuesFromDesign(fields, design);
    expect(validateAll(fields, values)).toEqual({});
    const sections = sectionsFromValues(fields, { ...values, 'control.v_ref': '' }, design);
    expect(sections.parameters).toEqual(design.parameters);
    expect(sections.control).toEqual({ mode: 'voltage' });
    expect(sections.simulation).toEqual({ t_stop: 0.02 });
  });

  it('lists every invalid field', () => {
    const values = { ...valuesFromDesign(fields, design), 'parameters.l': '-1', 'parameters.v_in': '' };
    expect(Object.keys(validateAll(fields, values)).sort()).toEqual(['parameters.l', 'parameters.v_in']);
  });
});

describe('helpers', () => {
  it('maps server paths to form paths', () => {
    expect(formPathOf('controller.v_ref')).toBe('control.v_ref');
    expect(formPathOf('parameters.l_tolerance[1]')).toBe('parameters.l_tolerance');
    expect(formPathOf('simulation.t_stop')).toBe('simulation.t_stop');
  });

  it('describes bounds', () => {
    expect(describeBounds({ min: 0, max: 1 }, '')).toBe('≥ 0 and ≤ 1');
    expect(describeBounds({ exclusiveMin: 0, max: 1e7 }, 'Hz')).toBe('> 0 and ≤ 1e+7 Hz');
    expect(describeBounds({}, 'V')).toBe('');
  });

  it('formats numbers for inputs', () => {
    expect(formatNumberInput(2.2e-6)).toBe('2.2e-6');
    expect(formatNumberInput(500e3)).toBe('500e3');
    expect(formatNumberInput(0.5e-3)).toBe('500e-6');
    expect(formatNumberInput(44.4)).toBe('44.4');
    expect(formatNumberInput(0)).toBe('0');
  });
});

describe('labelOf', () => {
  const spec = (description: string): FieldSpec => ({ ...field('parameters.l'), description });

  it.each([
    ['input voltage', 'Input voltage'],
    ['ramp time of the duty (open loop) or of the reference (closed loop); 0 disables', 'Ramp time of the duty (open loop) or of the reference (closed loop)'],
    ['DC source inductance (0: ideal source)', 'DC source inductance (0: ideal source)'],
    ['recording interval (default: switching period / 20', 'Recording interval'],
    ['computation delay: commands apply from the next period', 'Computation delay'],
  ])('labels "%s"', (description, expected) => {
    expect(labelOf(spec(description))).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { describeImportError, parseComponentImport } from './componentImport';

describe('component import parser', () => {
  it('reads one component object', () => {
    const result = parseComponentImport('{"kind":"mosfet","vendor":" Wolfspeed ","pn":"C3M0016120K","params":{"r_ds_on":0.016}}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.items).toHaveLength(1);
    expect(result.items[0]).toMatchObject({ label: 'Wolfspeed C3M0016120K', errors: [] });
    expect(result.items[0]?.component).toEqual({ kind: 'mosfet', vendor: 'Wolfspeed', pn: 'C3M0016120K', params: { r_ds_on: 0.016 } });
  });

  it('checks each item of a list and keeps the valid ones', () => {
    const result = parseComponentImport(
      JSON.stringify([
        { kind: 'capacitor', vendor: 'TDK', pn: 'B32778', params: { c: 1e-4 } },
        { kind: 'transistor', vendor: 'X', pn: 'Y', params: {} },
        { kind: 'diode', vendor: '', pn: 'D1', params: [] },
        'text',
        { kind: 'heatsink', vendor: 'Fischer', pn: 'SK 89' },
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const valid = result.items.map((item) => item.component !== null);
    expect(valid).toEqual([true, false, false, false, true]);
    expect(result.items[1]?.kind).toBe('transistor');
    expect(result.items[1]?.errors[0]).toMatch(/kind must be one of mosfet, igbt, diode, capacitor, inductor, core, heatsink \(got "transistor"\)/);
    expect(result.items[2]?.errors).toEqual(['vendor must be 1 to 200 characters', 'params must be a JSON object']);
    expect(result.items[3]?.errors).toEqual(['not a JSON object']);
    expect(result.items[4]?.component?.params).toEqual({});
  });

  it('rejects invalid JSON and empty lists', () => {
    const broken = parseComponentImport('{"kind": ');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error).toMatch(/not valid JSON/);
    expect(parseComponentImport('[]')).toEqual({ ok: false, error: 'The file holds an empty list.' });
  });

  it('describes duplicates, field errors and other failures', () => {
    expect(describeImportError(409, 'component exists', [])).toEqual({ status: 'duplicate', message: 'component exists' });
    expect(describeImportError(422, 'invalid', [{ field: 'params.r_ds_on', message: 'must be positive' }])).toEqual({
      status: 'invalid',
      message: 'params.r_ds_on: must be positive',
    });
    expect(describeImportError(0, '', []).message).toBe('the server could not be reached');
    expect(describeImportError(500, '', []).message).toBe('HTTP 500');
  });
});

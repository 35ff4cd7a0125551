import { describe, expect, it } from 'vitest';
import buck from '@/test/fixtures/summary-buck.json';
import gridTie from '@/test/fixtures/summary-grid-tie.json';
import pmsm from '@/test/fixtures/summary-pmsm.json';
import {
  ambientOf,
  heatColor,
  heatTextColor,
  loadResistanceOf,
  lossRings,
  powerFactorOf,
  sweepFinished,
  sweepLoadValues,
  sweepPoints,
  thdRows,
  thermalTiles,
  type SweepRowLike,
} from './analytics';
import { deviceLosses } from './summary';

describe('loss sunburst rings', () => {
  it('puts one inner slice per device and its loss types outside, both rings summing to the same total', () => {
    const rings = lossRings(buck);
    expect(rings.inner.map((slice) => slice.name)).toEqual(['S1', 'S2']);
    const s1 = rings.outer.filter((slice) => slice.owner === 'S1');
    expect(s1.map((slice) => slice.type)).toEqual(['conduction', 'switching']);
    expect(s1[0]?.value).toBeCloseTo(69.09, 2);
    const innerSum = rings.inner.reduce((sum, slice) => sum + slice.value, 0);
    const outerSum = rings.outer.reduce((sum, slice) => sum + slice.value, 0);
    expect(outerSum).toBeCloseTo(innerSum, 6);
    expect(rings.total).toBeCloseTo(innerSum, 6);
    // The inner and outer rings keep the same order, so each type sits beside its device.
    const owners = rings.outer.map((slice) => slice.owner);
    expect(owners.indexOf('S2')).toBeGreaterThan(owners.lastIndexOf('S1'));
  });

  it('keeps a total that its split does not cover as a "not split" slice', () => {
    const summary = { result: { semiconductors: { devices: [{ position: 'Q1', conduction_forward_w: 3, turn_on_w: 1, total_w: 5 }] } } };
    const rings = lossRings(summary);
    expect(rings.outer.map((slice) => [slice.type, slice.value])).toEqual([
      ['conduction', 3],
      ['switching', 1],
      ['other', 1],
    ]);
  });

  it('falls back to circuit elements when there are no device losses', () => {
    const summary = { result: { losses: [{ element: 'RL1', power: 4 }, { element: 'S1', power: 6 }, { element: 'R0', power: 0 }] } };
    const rings = lossRings(summary);
    expect(rings.inner).toEqual([
      { name: 'RL1', value: 4 },
      { name: 'S1', value: 6 },
    ]);
    expect(rings.outer.every((slice) => slice.type === 'other')).toBe(true);
    expect(rings.total).toBe(10);
  });

  it('uses the unsplit model losses of a drive run', () => {
    const rings = lossRings(pmsm);
    expect(rings.inner.length).toBe(deviceLosses(pmsm).filter((row) => row.total > 0).length);
    expect(rings.outer.every((slice) => slice.type === 'other')).toBe(true);
  });

  it('is empty for a summary without losses', () => {
    expect(lossRings({ result: {} })).toEqual({ inner: [], outer: [], total: 0 });
  });
});

describe('THD rows and power factor', () => {
  it('reads the grid current THD in percent and the power factor', () => {
    const rows = thdRows(gridTie);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'thd_i_grid', kind: 'current', label: 'i grid' });
    expect(rows[0]?.thd).toBeCloseTo(3.04, 1);
    expect(powerFactorOf(gridTie)).toBeGreaterThan(0.99);
    expect(powerFactorOf(gridTie)).toBeLessThanOrEqual(1);
  });

  it('turns ratio metrics and the circuit THD list into percent', () => {
    const summary = {
      result: {
        metrics: [{ name: 'thd_v_pcc', unit: '1', value: 0.021 }],
        thd: [{ signal: 'i_L', thd: 0.12 }, { signal: 'bad' }],
      },
    };
    const rows = thdRows(summary);
    expect(rows.map((row) => [row.name, row.kind, Number(row.thd.toFixed(3))])).toEqual([
      ['thd_v_pcc', 'voltage', 2.1],
      ['i_L', 'current', 12],
    ]);
  });

  it('has no power factor or THD for a DC run', () => {
    expect(powerFactorOf(buck)).toBeUndefined();
    expect(thdRows(buck)).toEqual([]);
  });
});

describe('load sweep', () => {
  it('reads r_load from stored and inline design echoes', () => {
    expect(loadResistanceOf({ result: { design: { parameters: { section: 'parameters', values: { r_load: 5.33 } } } } })).toBe(5.33);
    expect(loadResistanceOf({ result: { design: { parameters: { r_load: 44.4 } } } })).toBe(44.4);
    expect(loadResistanceOf({ result: { design: { parameters: {} } } })).toBeUndefined();
  });

  it('spreads 5 to 8 values from 0.25x to 4x of the load', () => {
    const values = sweepLoadValues(44.4, 6);
    expect(values).toHaveLength(6);
    expect(values[0]).toBeCloseTo(11.1, 6);
    expect(values[5]).toBeCloseTo(177.6, 6);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(sweepLoadValues(10, 2)).toHaveLength(5);
    expect(sweepLoadValues(10, 20)).toHaveLength(8);
  });

  const rows: SweepRowLike[] = [
    { value: 88.8, status: 'done', metrics: { efficiency: 0.9954, v_out_mean: 400, loss_total: 8.4 } },
    { value: 22.2, status: 'done', metrics: { efficiency: 0.9925, v_out_mean: 400, loss_total: 54.4 } },
    { value: 44.4, status: 'failed', error: 'diverged', metrics: {} },
    { value: 11.1, status: 'done', metrics: { efficiency: 0.99, loss_total: 100 } },
  ];

  it('plots efficiency in percent against output power, ordered by power', () => {
    const points = sweepPoints(rows);
    expect(points.map((point) => point.rLoad)).toEqual([88.8, 22.2, 11.1]);
    expect(points[0]?.pOut).toBeCloseTo(400 ** 2 / 88.8, 6);
    expect(points[0]?.efficiency).toBeCloseTo(99.54, 6);
    // Without V_out, the output power comes from the loss and the efficiency.
    expect(points[2]?.pOut).toBeCloseTo((100 * 0.99) / 0.01, 6);
  });

  it('knows when every row is final', () => {
    expect(sweepFinished(rows)).toBe(true);
    expect(sweepFinished([...rows, { value: 1, status: 'running', metrics: {} }])).toBe(false);
    expect(sweepFinished([])).toBe(false);
  });
});

describe('thermal map', () => {
  const summary = {
    result: {
      design: { thermal: { section: 'thermal', values: { t_ambient: 40 } } },
      semiconductors: {
        devices: [
          { position: 'S1', part: 'A', total_w: 10 },
          { position: 'S2', part: 'B', total_w: 5 },
        ],
        junctions: [
          { position: 'S1', tj_max_c: 107.5 },
          { position: 'S2', tj_max_c: 200 },
        ],
      },
    },
  };

  it('places Tj max on the scale from ambient to the part limit', () => {
    expect(ambientOf(summary)).toBe(40);
    expect(ambientOf(buck)).toBe(25);
    const { tiles } = thermalTiles(summary, { A: 175 }, 150);
    expect(tiles[0]).toMatchObject({ device: 'S1', part: 'A', overLimit: false });
    expect(tiles[0]?.fraction).toBeCloseTo(0.5, 6);
    expect(tiles[1]).toMatchObject({ device: 'S2', fraction: 1, overLimit: true });
  });

  it('colours the scale from blue to red', () => {
    expect(heatColor(0)).toBe('hsl(220 85% 45%)');
    expect(heatColor(0.5)).toBe('hsl(50 85% 50%)');
    expect(heatColor(1)).toBe('hsl(0 85% 50%)');
    expect(heatColor(7)).toBe(heatColor(1));
    expect(heatTextColor(0)).toBe('#ffffff');
    expect(heatTextColor(0.5)).toBe('#111827');
    expect(heatTextColor(1)).toBe('#ffffff');
  });
});

import { describe, expect, it } from 'vitest';
import buck from '@/test/fixtures/summary-buck.json';
import gridTie from '@/test/fixtures/summary-grid-tie.json';
import pmsm from '@/test/fixtures/summary-pmsm.json';
import { deviceLosses, efficiencyOf, elementLosses, junctions, keyFigures, metricsOf, tablesOf } from './summary';

// The fixtures are trimmed summaries of the seeded demo runs (buck 800 V to 400 V, grid-tie 10 kW, IPMSM 400 V).

describe('circuit summary', () => {
  it('prefers the efficiency with datasheet losses', () => {
    expect(efficiencyOf(buck)).toBeCloseTo(0.99144, 5);
  });

  it('splits device losses into conduction and switching', () => {
    const [s1] = deviceLosses(buck);
    expect(s1?.device).toBe('S1');
    expect(s1?.part).toBe('CREE_C3M0016120K');
    expect(s1?.conduction).toBeCloseTo(69.09, 2);
    expect(s1?.switching).toBeCloseTo(49.387 + 28.305, 2);
    expect(s1?.total).toBeCloseTo(146.78, 2);
  });

  it('reads junction temperatures and element losses', () => {
    expect(junctions(buck).map((junction) => junction.device)).toEqual(['S1', 'S2']);
    expect(junctions(buck)[0]?.tjMax).toBeCloseTo(108.25, 2);
    expect(elementLosses(buck).map((loss) => loss.element)).toContain('RL1');
  });

  it('shows efficiency, output voltage, power and losses on cards', () => {
    const figures = keyFigures(buck);
    expect(figures.map((figure) => figure.label)).toEqual(['Efficiency', 'V out', 'P out', 'Losses']);
    expect(figures[1]?.value).toBeCloseTo(398.3, 1);
    expect(figures[2]?.value).toBeCloseTo(29764, 0);
  });

  it('counts the other circuit losses with the datasheet losses', () => {
    // The efficiency with datasheet losses includes the inductor and capacitor
    // resistances, so the loss figure must too for the two to agree.
    const withOther = structuredClone(buck) as { result: { semiconductors: Record<string, unknown> } };
    withOther.result.semiconductors.other_losses_w = 45.38;
    const loss = keyFigures(withOther).find((figure) => figure.label === 'Losses');
    expect(loss?.value).toBeCloseTo(211.778 + 45.38, 2);
  });
});

describe('model summary', () => {
  it('reads metrics and tables', () => {
    expect(metricsOf(gridTie).find((metric) => metric.name === 'thd_i_grid')?.unit).toBe('%');
    const [events] = tablesOf(gridTie);
    expect(events?.name).toBe('grid_events');
    expect(events?.columns[0]).toEqual({ name: 'time', unit: 's' });
  });

  it('shows the grid-tie figures', () => {
    const figures = keyFigures(gridTie);
    expect(figures.map((figure) => figure.label)).toEqual(['P grid', 'THD i', 'Power factor', 'I grid rms']);
    expect(figures[2]).toMatchObject({ unit: '%' });
    expect(figures[2]?.value).toBeCloseTo(99.92, 1);
  });

  it('takes device losses and Tj from the drive metrics', () => {
    expect(deviceLosses(pmsm).map((row) => row.device)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6']);
    expect(deviceLosses(pmsm)[0]?.total).toBeCloseTo(325.13, 2);
    expect(junctions(pmsm)[0]?.tjMax).toBeCloseTo(112.14, 2);
    expect(efficiencyOf(pmsm)).toBeCloseTo(0.985, 3);
  });

  it('returns nothing for an empty summary', () => {
    expect(keyFigures(null)).toEqual([]);
    expect(deviceLosses(undefined)).toEqual([]);
    expect(efficiencyOf({})).toBeUndefined();
  });
});

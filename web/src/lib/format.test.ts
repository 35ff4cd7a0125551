import { describe, expect, it } from 'vitest';
import { formatPercent, formatSi, formatTicks, formatTime, optionLabel } from './format';

describe('formatSi', () => {
  it.each([
    [4e-4, 'H', '400 µH'],
    [29764.3, 'W', '29.8 kW'],
    [0, 'V', '0 V'],
    [108.25, '°C', '108 °C'],
    [-15.04, 'A', '-15 A'],
    [0.5, '1', '0.5'],
  ])('formats %d %s', (value, unit, expected) => {
    expect(formatSi(value, unit)).toBe(expected);
  });

  it('shows a dash for missing values', () => {
    expect(formatSi(null, 'V')).toBe('–');
    expect(formatSi(Number.NaN, 'V')).toBe('–');
  });
});

describe('formatTicks', () => {
  it('keeps neighbouring ticks distinct', () => {
    expect(formatTicks([397.5, 398, 398.5, 399], 'V')).toEqual(['397.5 V', '398.0 V', '398.5 V', '399.0 V']);
  });

  it('shares one prefix across the axis', () => {
    expect(formatTicks([0, 0.002, 0.004], 's')).toEqual(['0 ms', '2 ms', '4 ms']);
    expect(formatTicks([0, 5000, 10000], 'W')).toEqual(['0 kW', '5 kW', '10 kW']);
  });
});

describe('formatPercent', () => {
  it('formats a ratio', () => {
    expect(formatPercent(0.99144)).toBe('99.14 %');
  });
});

describe('optionLabel', () => {
  it('names known option codes and keeps the code', () => {
    expect(optionLabel('po')).toBe('P&O (perturb and observe) · po');
    expect(optionLabel('svpwm')).toBe('SVPWM · svpwm');
  });

  it('leaves other codes as they are', () => {
    expect(optionLabel('buck')).toBe('buck');
  });
});

describe('formatTime', () => {
  const iso = '2026-03-04T05:06:07Z';

  it('shows minutes by default', () => {
    const expected = new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    expect(formatTime(iso)).toBe(expected);
  });

  it('shows seconds on request', () => {
    const expected = new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    expect(formatTime(iso, { seconds: true })).toBe(expected);
    expect(formatTime(iso, { seconds: true })).toMatch(/:07/);
  });

  it('shows a dash for a missing time', () => {
    expect(formatTime(null, { seconds: true })).toBe('–');
  });
});

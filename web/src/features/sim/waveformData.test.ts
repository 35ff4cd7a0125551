import { describe, expect, it } from 'vitest';
import { appendChunk, defaultVisible, emptyWaveform, fromView, mergeDetail } from './waveformData';

const names = (list: string[]) => list.map((name) => ({ name }));

describe('defaultVisible', () => {
  it('prefers the output voltage and inductor currents', () => {
    const signals = names(['v(in)', 'v(sw)', 'v(out)', 'i(L1)', 'vd(C1)', 'i(L2)', 'gate(S1)']);
    expect([...defaultVisible(signals)]).toEqual(['v(out)', 'i(L1)', 'i(L2)']);
  });

  it('fills up with other signals before switching ones', () => {
    expect([...defaultVisible(names(['v(sw)', 'duty', 'i_d', 'i_q']))]).toEqual(['i_d', 'i_q', 'v(sw)']);
  });
});

describe('appendChunk', () => {
  it('appends each signal column in place', () => {
    const data = emptyWaveform([
      { name: 'v', unit: 'V' },
      { name: 'i', unit: 'A' },
    ]);
    appendChunk(data, { type: 'chunk', seq: 0, t: [0, 1], min: [[1, 2], [3, 4]], max: [[5, 6], [7, 8]] });
    const same = appendChunk(data, { type: 'chunk', seq: 1, t: [2], min: [[9], [10]], max: [[11], [12]] });
    expect(same).toBe(data);
    expect(data.t).toEqual([0, 1, 2]);
    expect(data.signals[0]?.min).toEqual([1, 2, 9]);
    expect(data.signals[1]?.max).toEqual([7, 8, 12]);
  });
});

describe('fromView', () => {
  it('uses the first signal time axis', () => {
    const data = fromView({
      signals: [
        { name: 'v', unit: 'V', t: [0, 0.5], min: [1, 2], max: [3, 4] },
        { name: 'i', unit: 'A', t: [0, 0.5], min: [5, 6], max: [7, 8] },
      ],
    });
    expect(data.t).toEqual([0, 0.5]);
    expect(data.signals.map((signal) => signal.unit)).toEqual(['V', 'A']);
  });
});

describe('mergeDetail', () => {
  it('swaps the zoomed window for finer buckets', () => {
    const overview = { t: [0, 1, 2, 3, 4], signals: [{ name: 'v', unit: 'V', min: [0, 10, 20, 30, 40], max: [1, 11, 21, 31, 41] }] };
    const detail = { t: [1, 1.5, 2, 2.5, 3, 3.5], signals: [{ name: 'v', unit: 'V', min: [10, 15, 20, 25, 30, 35], max: [11, 16, 21, 26, 31, 36] }] };
    const merged = mergeDetail(overview, detail, 1.2, 2.8);
    expect(merged.t).toEqual([0, 1, 1.5, 2, 2.5, 3, 4]);
    expect(merged.signals[0]?.min).toEqual([0, 10, 15, 20, 25, 30, 40]);
    expect(merged.signals[0]?.max).toEqual([1, 11, 16, 21, 26, 31, 41]);
  });

  it('keeps times increasing', () => {
    const overview = { t: [0, 2, 4], signals: [{ name: 'v', unit: 'V', min: [0, 2, 4], max: [0, 2, 4] }] };
    const detail = { t: [1, 2, 3], signals: [{ name: 'v', unit: 'V', min: [1, 2, 3], max: [1, 2, 3] }] };
    const merged = mergeDetail(overview, detail, 1, 3);
    expect(merged.t).toEqual([0, 1, 2, 3, 4]);
  });
});

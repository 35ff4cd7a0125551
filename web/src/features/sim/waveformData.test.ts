import { describe, expect, it } from 'vitest';
import { appendChunk, defaultVisible, emptyWaveform, fromView } from './waveformData';

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

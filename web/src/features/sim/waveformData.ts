import type { ChunkMessage, SignalInfo } from './streamClient';

/** Min/max envelope of one signal over the time buckets of a chart. */
export interface SignalSeries extends SignalInfo {
  min: number[];
  max: number[];
}

/** Waveform data for a chart: bucket start times and each signal's min/max envelope. */
export interface WaveformData {
  t: number[];
  signals: SignalSeries[];
}

export function emptyWaveform(signals: SignalInfo[]): WaveformData {
  return { t: [], signals: signals.map((signal) => ({ ...signal, min: [], max: [] })) };
}

/** Appends a stream chunk in place and returns the same object, so charts reuse the arrays. */
export function appendChunk(data: WaveformData, chunk: ChunkMessage): WaveformData {
  for (const value of chunk.t) {
    data.t.push(value);
  }
  data.signals.forEach((signal, index) => {
    const min = chunk.min[index] ?? [];
    const max = chunk.max[index] ?? [];
    for (let i = 0; i < chunk.t.length; i += 1) {
      signal.min.push(min[i] ?? Number.NaN);
      signal.max.push(max[i] ?? Number.NaN);
    }
  });
  return data;
}

/** Converts the `GET /runs/{id}/waveforms` view to chart data; its signals share one time axis. */
export function fromView(view: { signals: { name: string; unit: string; t: number[]; min: number[]; max: number[] }[] }): WaveformData {
  const first = view.signals[0];
  return {
    t: first ? [...first.t] : [],
    signals: view.signals.map((signal) => ({ name: signal.name, unit: signal.unit, min: signal.min, max: signal.max })),
  };
}

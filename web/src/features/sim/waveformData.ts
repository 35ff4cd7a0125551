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

/**
 * Picks the signals drawn at first: up to three, output voltages first, then inductor currents,
 * then the rest in their order. Switch-node voltages, gate signals and duty come last,
 * because their full-swing square waves would hide everything else.
 */
export function defaultVisible(signals: { name: string }[]): Set<string> {
  const rank = (name: string) => {
    if (/sw|gate|duty/i.test(name)) return 3;
    if (/^v.*out/i.test(name)) return 0;
    if (/^i\(?_?L/.test(name)) return 1;
    return 2;
  };
  const chosen = signals
    .map((signal, index) => ({ name: signal.name, rank: rank(signal.name), index }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .slice(0, 3);
  return new Set(chosen.map((signal) => signal.name));
}

/** Series colours that read on both the light and the dark background. */
const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#2563eb';
}

/**
 * Replaces the overview's buckets inside [from, to] with a finer view of that window, so
 * a zoomed chart shows full detail while the rest of the run stays drawn. Both views must
 * list the same signals in the same order.
 */
export function mergeDetail(overview: WaveformData, detail: WaveformData, from: number, to: number): WaveformData {
  const before: number[] = [];
  const after: number[] = [];
  overview.t.forEach((time, index) => {
    if (time < from) before.push(index);
    else if (time > to) after.push(index);
  });
  const pick = (values: number[], indices: number[]) => indices.map((index) => values[index] ?? Number.NaN);
  const inside = detail.t.filter((time) => time >= from && time <= to);
  const first = detail.t.findIndex((time) => time >= from);
  const start = first === -1 ? detail.t.length : first;
  const end = start + inside.length;
  return {
    t: [...pick(overview.t, before), ...inside, ...pick(overview.t, after)],
    signals: overview.signals.map((signal, index) => {
      const fine = detail.signals[index];
      return {
        ...signal,
        min: [...pick(signal.min, before), ...(fine?.min.slice(start, end) ?? []), ...pick(signal.min, after)],
        max: [...pick(signal.max, before), ...(fine?.max.slice(start, end) ?? []), ...pick(signal.max, after)],
      };
    }),
  };
}

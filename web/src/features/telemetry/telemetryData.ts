import type { TelemetryBucket } from '@/api/client';
import type { WaveformData } from '@/features/sim/waveformData';

/**
 * The window of the first search query, wide enough for any bench recording. Two searches
 * locate the samples. The first splits 100 years into 10 000 buckets of about 3.7 days.
 * The second splits the occupied span into 10 000 buckets again, about 32 s wide when the
 * first search found one bucket. So the chart's range ends at most two search buckets
 * past the samples.
 */
export const SEARCH_RANGE: TimeRange = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
/** Buckets of each search query, the most the server accepts. */
export const SEARCH_BUCKETS = 10000;
export const BUCKET_CHOICES = [100, 500, 1000, 5000, 10000];

export interface TimeRange {
  from: string;
  to: string;
}

/** Converts buckets to chart data: seconds from the range start, with the min/max envelope. */
export function bucketsToWaveform(signal: string, buckets: TelemetryBucket[], from: string): WaveformData {
  const origin = Date.parse(from);
  return {
    t: buckets.map((bucket) => (Date.parse(bucket.time) - origin) / 1000),
    signals: [{ name: signal, unit: '', min: buckets.map((bucket) => bucket.min), max: buckets.map((bucket) => bucket.max) }],
  };
}

/** Returns the time span the buckets cover, from the first bucket's start to the last one's end. */
export function extentOf(buckets: TelemetryBucket[], range: TimeRange, count: number): TimeRange | null {
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  if (!first || !last) return null;
  const width = (Date.parse(range.to) - Date.parse(range.from)) / count;
  return { from: first.time, to: new Date(Date.parse(last.time) + width).toISOString() };
}

export function toLocalInput(iso: string): string {
  // The datetime-local inputs hold UTC times without the zone suffix, and their labels state UTC.
  return iso.replace(/Z$/, '').slice(0, 23);
}

export function fromLocalInput(text: string): string | null {
  const time = Date.parse(`${text}Z`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

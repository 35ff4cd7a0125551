import { useMemo, useState } from 'react';
import { useRuns, useTelemetry, useTelemetrySignals } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { WaveformChart } from '@/features/sim/WaveformChart';
import { formatSi, formatTime } from '@/lib/format';
import { useWorkbenchStore } from '@/stores/workbench';
import {
  BUCKET_CHOICES,
  bucketsToWaveform,
  extentOf,
  fromLocalInput,
  SEARCH_BUCKETS,
  SEARCH_RANGE,
  toLocalInput,
  type TimeRange,
} from './telemetryData';

export function TelemetryTab({ projectId }: { projectId: string }) {
  const runs = useRuns(projectId);
  const storedRunId = useWorkbenchStore((state) => state.runByProject[projectId] ?? null);
  const selectRun = useWorkbenchStore((state) => state.selectRun);
  const runId = storedRunId ?? runs.data?.[0]?.id ?? null;
  const signals = useTelemetrySignals(runId);
  const [pickedSignal, setSignal] = useState<string | null>(null);
  const [buckets, setBuckets] = useState(1000);
  // A range the user typed, for the run and signal it was typed for.
  const [typed, setTyped] = useState<{ key: string; range: TimeRange } | null>(null);
  const [rangeError, setRangeError] = useState<string | null>(null);

  const signal = pickedSignal !== null && signals.data?.includes(pickedSignal) ? pickedSignal : (signals.data?.[0] ?? null);
  const key = `${runId}|${signal}`;

  // First find where the samples are, in two searches, then read that span at the chosen resolution.
  const search = useTelemetry(runId, signal, SEARCH_BUCKETS, SEARCH_RANGE.from, SEARCH_RANGE.to);
  const coarse = useMemo(() => (search.data ? extentOf(search.data, SEARCH_RANGE, SEARCH_BUCKETS) : null), [search.data]);
  const refine = useTelemetry(coarse ? runId : null, signal, SEARCH_BUCKETS, coarse?.from ?? '', coarse?.to ?? '');
  const fitted = useMemo(() => (refine.data && coarse ? extentOf(refine.data, coarse, SEARCH_BUCKETS) : null), [refine.data, coarse]);
  const range = typed !== null && typed.key === key ? typed.range : fitted;
  const telemetry = useTelemetry(range ? runId : null, signal, buckets, range?.from ?? '', range?.to ?? '');
  const setRange = (next: TimeRange) => setTyped({ key, range: next });

  const data = useMemo(
    () => (telemetry.data && signal && range ? bucketsToWaveform(signal, telemetry.data, range.from) : null),
    [telemetry.data, signal, range],
  );
  const totals = useMemo(() => {
    const list = telemetry.data ?? [];
    const count = list.reduce((sum, bucket) => sum + bucket.count, 0);
    const mean = count > 0 ? list.reduce((sum, bucket) => sum + bucket.mean * bucket.count, 0) / count : Number.NaN;
    return {
      count,
      min: list.length ? Math.min(...list.map((bucket) => bucket.min)) : Number.NaN,
      max: list.length ? Math.max(...list.map((bucket) => bucket.max)) : Number.NaN,
      mean,
    };
  }, [telemetry.data]);

  const setBound = (bound: 'from' | 'to', text: string) => {
    const value = fromLocalInput(text);
    if (value === null) {
      setRangeError(`${bound}: "${text}" is not a date and time`);
      return;
    }
    if (range === null) return;
    const next = { ...range, [bound]: value };
    if (Date.parse(next.from) >= Date.parse(next.to)) {
      setRangeError('from must be before to');
      return;
    }
    setRangeError(null);
    setRange(next);
  };

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[300px_minmax(0,1fr)]">
      <Card>
        <CardHeader>
          <CardTitle>Telemetry source</CardTitle>
        </CardHeader>
        <CardContent className="space-y-3">
          {runs.isError && <ErrorBanner error={runs.error} />}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="telemetry-run">Run</Label>
            <NativeSelect id="telemetry-run" value={runId ?? ''} onChange={(event) => selectRun(projectId, event.target.value)}>
              {runs.data?.length === 0 && <option value="">No runs</option>}
              {runs.data?.map((run) => (
                <option key={run.id} value={run.id}>
                  {run.title || run.kernel} · {run.mode} · {formatTime(run.created_at)}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="telemetry-signal">Signal</Label>
            <NativeSelect id="telemetry-signal" value={signal ?? ''} disabled={!signals.data?.length} onChange={(event) => setSignal(event.target.value)}>
              {signals.data?.length === 0 && <option value="">No telemetry for this run</option>}
              {signals.data?.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="telemetry-buckets">Buckets</Label>
            <NativeSelect id="telemetry-buckets" value={buckets} onChange={(event) => setBuckets(Number(event.target.value))}>
              {BUCKET_CHOICES.map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </NativeSelect>
          </div>
          {range && (
            <>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="telemetry-from">From (UTC)</Label>
                <Input id="telemetry-from" type="datetime-local" step="0.001" value={toLocalInput(range.from)} onChange={(event) => setBound('from', event.target.value)} />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="telemetry-to">To (UTC)</Label>
                <Input id="telemetry-to" type="datetime-local" step="0.001" value={toLocalInput(range.to)} onChange={(event) => setBound('to', event.target.value)} />
              </div>
            </>
          )}
          {rangeError && (
            <p role="alert" className="text-xs font-medium text-destructive">
              {rangeError}
            </p>
          )}
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>{signal ?? 'Telemetry'}</CardTitle>
          {range && (
            <p className="text-xs text-muted-foreground">
              t = 0 at {formatTime(range.from)} · {totals.count.toLocaleString()} samples · min {formatSi(totals.min)} · mean{' '}
              {formatSi(totals.mean)} · max {formatSi(totals.max)}
            </p>
          )}
        </CardHeader>
        <CardContent>
          {signals.isError && <ErrorBanner error={signals.error} onRetry={() => void signals.refetch()} />}
          {search.isError && <ErrorBanner error={search.error} onRetry={() => void search.refetch()} />}
          {telemetry.isError && <ErrorBanner error={telemetry.error} onRetry={() => void telemetry.refetch()} />}
          {data && data.t.length > 0 ? (
            <WaveformChart data={data} version={0} visible={new Set([signal ?? ''])} height={320} label={`Telemetry of ${signal}`} />
          ) : (
            <div className="flex h-[320px] items-center justify-center rounded-md border border-dashed p-6 text-center text-sm text-muted-foreground">
              {signals.isSuccess && signals.data.length === 0
                ? 'This run has no telemetry. Bench and HIL setups send samples with POST /api/v1/runs/{id}/telemetry.'
                : telemetry.isFetching || search.isFetching || refine.isFetching
                  ? 'Loading telemetry…'
                  : 'No samples in this time range.'}
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

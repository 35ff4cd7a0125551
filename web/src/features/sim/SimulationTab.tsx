import { useMutation } from '@tanstack/react-query';
import { Ban, FileDown, FileText, Loader2, Play, Wifi, WifiOff } from 'lucide-react';
import { useMemo, useState } from 'react';
import { api, request, type RunBrief } from '@/api/client';
import { useDesigns, useRuns, useWaveforms, useWaveformWindow } from '@/api/queries';
import { ErrorBanner } from '@/components/ErrorBanner';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { StatusBadge } from '@/components/StatusBadge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import { formatTime } from '@/lib/format';
import { cn } from '@/lib/utils';
import { useWorkbenchStore } from '@/stores/workbench';
import { WaveformChart } from './WaveformChart';
import { useRunStream } from './useRunStream';
import { colorOf, defaultVisible, fromView, mergeDetail, type WaveformData } from './waveformData';
import { DeniedReason } from '@/features/auth/DeniedReason';
import { usePermission } from '@/features/auth/permissions';

const ACTIVE = new Set(['queued', 'running']);

export function SignalPicker({
  signals,
  visible,
  onChange,
}: {
  signals: { name: string; unit: string }[];
  visible: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
}) {
  if (signals.length === 0) return null;
  const toggle = (name: string) => {
    const next = new Set(visible);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    onChange(next);
  };
  return (
    <fieldset>
      <legend className="sr-only">Signals to draw</legend>
      <div className="flex flex-wrap gap-1.5">
        {signals.map((signal, index) => {
          const on = visible.has(signal.name);
          return (
            <label
              key={signal.name}
              className={cn(
                'flex cursor-pointer items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring',
                on ? 'bg-accent text-accent-foreground' : 'text-muted-foreground',
              )}
            >
              <input type="checkbox" className="sr-only" checked={on} onChange={() => toggle(signal.name)} />
              <span className="inline-block size-2.5 rounded-full" style={{ background: on ? colorOf(index) : 'transparent', border: `1.5px solid ${colorOf(index)}` }} aria-hidden="true" />
              <span className="font-mono">{signal.name}</span>
              {signal.unit && <span className="text-muted-foreground">[{signal.unit}]</span>}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}


function RunList({ runs, selected, onSelect }: { runs: RunBrief[]; selected: string | null; onSelect: (id: string) => void }) {
  if (runs.length === 0) {
    return <p className="text-sm text-muted-foreground">No runs yet.</p>;
  }
  return (
    <ul className="max-h-[420px] space-y-1 overflow-y-auto pr-1" aria-label="Runs of this project">
      {runs.map((run) => (
        <li key={run.id}>
          <button
            type="button"
            aria-current={run.id === selected ? 'true' : undefined}
            onClick={() => onSelect(run.id)}
            className={cn(
              'w-full rounded-md border px-3 py-2 text-left text-sm transition-colors hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring',
              run.id === selected ? 'border-primary/60 bg-accent' : 'border-transparent',
            )}
          >
            <div className="flex items-center justify-between gap-2">
              <span className="truncate font-medium">{run.title || run.kernel}</span>
              <StatusBadge status={run.status} />
            </div>
            <div className="mt-0.5 text-xs text-muted-foreground">
              <code>{run.kernel}</code> · {formatTime(run.created_at)}
            </div>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function SimulationTab({ projectId }: { projectId: string }) {
  const designs = useDesigns(projectId);
  const runs = useRuns(projectId);
  const designId = useWorkbenchStore((state) => state.designByProject[projectId] ?? null);
  const selectDesign = useWorkbenchStore((state) => state.selectDesign);
  const storedRunId = useWorkbenchStore((state) => state.runByProject[projectId] ?? null);
  const selectRun = useWorkbenchStore((state) => state.selectRun);
  // The run started from this tab; it stays on the live stream after it ends.
  const [startedRunId, setStartedRunId] = useState<string | null>(null);
  const [picked, setPicked] = useState<{ key: string; names: Set<string> } | null>(null);

  const chosenDesign = designId ?? designs.data?.[0]?.id ?? null;
  const runList = runs.data ?? [];
  // Without a selection, the newest run is shown.
  const selectedRunId = storedRunId ?? runList[0]?.id ?? null;
  const selectedRun = runList.find((run) => run.id === selectedRunId) ?? null;

  // A run started here, or a selected run that is still queued or running, is followed live.
  const liveRunId =
    startedRunId !== null && startedRunId === selectedRunId
      ? startedRunId
      : selectedRun && ACTIVE.has(selectedRun.status)
        ? selectedRun.id
        : null;

  const live = useRunStream(liveRunId);
  const showingLive = liveRunId !== null && liveRunId === selectedRunId;
  const stored = useWaveforms(selectedRunId, 2000, !showingLive && selectedRun?.status === 'done');

  const runPermission = usePermission('simulation.run');
  const cancelPermission = usePermission('simulation.cancel');
  const start = useMutation({
    mutationFn: (id: string) => request(() => api.POST('/api/v1/simulate/run', { body: { project_id: projectId, design_id: id } })),
    onSuccess: (queued) => {
      setStartedRunId(queued.run_id);
      selectRun(projectId, queued.run_id);
      void runs.refetch();
    },
  });

  const cancel = useMutation({
    mutationFn: (id: string) => request(() => api.POST('/api/v1/simulate/run/{id}/cancel', { params: { path: { id } } })),
  });

  // A zoomed window of a stored run is loaded again at full chart resolution.
  const [detailRange, setDetailRange] = useState<{ runId: string; range: [number, number] } | null>(null);
  const detailWindow = detailRange !== null && detailRange.runId === selectedRunId && !showingLive ? detailRange.range : null;
  const detail = useWaveformWindow(selectedRunId, detailWindow);
  const storedData = useMemo<WaveformData | null>(() => {
    if (!stored.data) return null;
    const overview = fromView(stored.data);
    if (!detail.data || !detailWindow) return overview;
    // Merge over the window the detail covers: while a new window loads, the previous one is shown.
    return mergeDetail(overview, fromView(detail.data), detail.data.from, detail.data.to);
  }, [stored.data, detail.data, detailWindow]);
  const chartData = showingLive ? (live?.data ?? null) : storedData;
  const signals = useMemo(() => chartData?.signals.map(({ name, unit }) => ({ name, unit })) ?? [], [chartData?.signals]);
  const signalKey = signals.map((signal) => signal.name).join(',');
  // The picker keeps the user's choice while the signal set stays the same.
  const visible = useMemo(
    () => (picked !== null && picked.key === signalKey ? picked.names : defaultVisible(signals)),
    [picked, signalKey, signals],
  );
  const setVisible = (names: Set<string>) => setPicked({ key: signalKey, names });

  const status = showingLive ? (live?.status ?? selectedRun?.status ?? 'queued') : selectedRun?.status;
  const progress = showingLive ? (live?.progress ?? 0) : (selectedRun?.progress ?? 0);
  const active = status !== undefined && ACTIVE.has(status);
  const finished = status === 'done';
  const runIdForLinks = selectedRunId;

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-[300px_minmax(0,1fr)]">
      <div className="space-y-4">
        <Card>
          <CardHeader>
            <CardTitle>Run a design</CardTitle>
          </CardHeader>
          <CardContent className="space-y-3">
            {designs.isError && <ErrorBanner error={designs.error} />}
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="sim-design">Design</Label>
              <NativeSelect
                id="sim-design"
                value={chosenDesign ?? ''}
                disabled={!designs.data?.length}
                onChange={(event) => selectDesign(projectId, event.target.value)}
              >
                {designs.data?.length === 0 && <option value="">No designs: create one in the Design tab</option>}
                {designs.data?.map((design) => (
                  <option key={design.id} value={design.id}>
                    {design.name} ({design.topology})
                  </option>
                ))}
              </NativeSelect>
            </div>
            <Button
              className="w-full"
              disabled={!chosenDesign || start.isPending || !runPermission.allowed}
              aria-describedby={runPermission.reason ? 'run-denied' : undefined}
              onClick={() => chosenDesign && start.mutate(chosenDesign)}
            >
              {start.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Play aria-hidden="true" />}
              Run simulation
            </Button>
            <DeniedReason id="run-denied" reason={runPermission.reason} />
            {start.isError && <ErrorBanner error={start.error} />}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Runs</CardTitle>
          </CardHeader>
          <CardContent>
            {runs.isError ? (
              <ErrorBanner error={runs.error} onRetry={() => void runs.refetch()} />
            ) : (
              <RunList runs={runList} selected={selectedRunId} onSelect={(id) => selectRun(projectId, id)} />
            )}
          </CardContent>
        </Card>
      </div>

      <Card className="min-w-0">
        <CardHeader className="flex-row flex-wrap items-center justify-between gap-3">
          <div className="min-w-0">
            <CardTitle className="truncate">{selectedRun ? selectedRun.title || selectedRun.kernel : 'No run selected'}</CardTitle>
            {selectedRunId && (
              <p className="mt-1 flex items-center gap-2 text-xs text-muted-foreground">
                <StatusBadge status={status ?? null} />
                <code data-testid="run-id">{selectedRunId}</code>
              </p>
            )}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {active && selectedRunId && (
              <>
                <Button
                  variant="destructive"
                  size="sm"
                  disabled={cancel.isPending || !cancelPermission.allowed}
                  aria-describedby={cancelPermission.reason ? 'cancel-denied' : undefined}
                  onClick={() => cancel.mutate(selectedRunId)}
                >
                  <Ban aria-hidden="true" /> Cancel
                </Button>
                <DeniedReason id="cancel-denied" reason={cancelPermission.reason} />
              </>
            )}
            {finished && runIdForLinks && (
              <>
                <Button variant="outline" size="sm" asChild>
                  <a href={`/api/v1/runs/${runIdForLinks}/export.csv`} download>
                    <FileDown aria-hidden="true" /> Export CSV
                  </a>
                </Button>
                <Button variant="outline" size="sm" asChild>
                  <a href={`/api/v1/runs/${runIdForLinks}/report.pdf`} target="_blank" rel="noreferrer">
                    <FileText aria-hidden="true" /> PDF report
                  </a>
                </Button>
              </>
            )}
          </div>
        </CardHeader>
        <CardContent className="space-y-3">
          {cancel.isError && <ErrorBanner error={cancel.error} />}
          {showingLive && live && (
            <div className="space-y-1.5">
              <div className="flex items-center justify-between text-xs text-muted-foreground">
                <span className="flex items-center gap-1.5" data-testid="stream-state">
                  {live.connection === 'failed' || live.connection === 'reconnecting' ? (
                    <WifiOff className="size-3.5 text-warning" aria-hidden="true" />
                  ) : (
                    <Wifi className="size-3.5" aria-hidden="true" />
                  )}
                  {live.connection}
                  {live.connectionDetail ? `: ${live.connectionDetail}` : ''} · {live.chunks} chunks
                </span>
                <span>{Math.round(progress * 100)} %</span>
              </div>
              <Progress value={progress * 100} aria-label="Run progress" />
            </div>
          )}
          {selectedRun?.status === 'failed' && !showingLive && <ErrorBanner error={new Error(selectedRun.error ?? 'The run failed.')} />}
          {showingLive && live?.error && live.status !== 'cancelled' && <ErrorBanner error={new Error(live.error)} />}
          {(showingLive ? live?.status : selectedRun?.status) === 'cancelled' && (
            <Alert>
              <AlertDescription>Cancelled: the run stopped before it finished, and no waveforms were kept.</AlertDescription>
            </Alert>
          )}
          {stored.isError && !showingLive && <ErrorBanner error={stored.error} onRetry={() => void stored.refetch()} />}
          <SignalPicker signals={signals} visible={visible} onChange={setVisible} />
          {chartData && chartData.signals.length > 0 ? (
            <WaveformChart
              data={chartData}
              version={showingLive ? (live?.version ?? 0) : 0}
              visible={visible}
              label={`Waveforms of ${selectedRun?.title ?? 'the run'}`}
              onRangeChange={
                showingLive || selectedRunId === null
                  ? undefined
                  : (range) => setDetailRange(range === null ? null : { runId: selectedRunId, range })
              }
            />
          ) : (
            <div className="flex h-[360px] items-center justify-center rounded-md border border-dashed text-sm text-muted-foreground">
              {selectedRunId === null
                ? 'Run a design or pick a run to see its waveforms.'
                : active
                  ? 'Waiting for the first samples…'
                  : stored.isFetching
                    ? 'Loading waveforms…'
                    : status === 'done'
                      ? 'This run recorded no waveforms.'
                      : 'No waveforms for this run.'}
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { keys } from '@/api/queries';
import { RunStream, type ConnectionState, type SignalInfo } from './streamClient';
import { appendChunk, emptyWaveform, type WaveformData } from './waveformData';

export interface LiveRun {
  runId: string;
  signals: SignalInfo[];
  data: WaveformData;
  /** Raised on every chunk; the chart redraws when it changes. */
  version: number;
  chunks: number;
  status: string | null;
  progress: number;
  connection: ConnectionState;
  connectionDetail: string | null;
  error: string | null;
  reconnects: number;
}

function initial(runId: string): LiveRun {
  return {
    runId,
    signals: [],
    data: emptyWaveform([]),
    version: 0,
    chunks: 0,
    status: null,
    progress: 0,
    connection: 'connecting',
    connectionDetail: null,
    error: null,
    reconnects: 0,
  };
}

/**
 * Follows the live stream of a run and collects its chunks into chart data. Returns
 * null while no run is given. The stream reconnects by itself and resumes after the last
 * chunk it received.
 */
export function useRunStream(runId: string | null): LiveRun | null {
  const [live, setLive] = useState<LiveRun | null>(null);
  const client = useQueryClient();

  useEffect(() => {
    if (runId === null) {
      return;
    }
    let data = emptyWaveform([]);
    // Applies a change to this run's state; a state left from another run starts afresh.
    const update = (change: (current: LiveRun) => Partial<LiveRun>) =>
      setLive((current) => {
        const base = current !== null && current.runId === runId ? current : { ...initial(runId), data };
        return { ...base, ...change(base) };
      });
    const stream = new RunStream({
      runId,
      onMeta: (signals) => {
        data = emptyWaveform(signals);
        update(() => ({ signals, data }));
      },
      onChunk: (chunk) => {
        appendChunk(data, chunk);
        update((current) => ({ version: current.version + 1, chunks: current.chunks + 1 }));
      },
      onProgress: (status, progress) => update(() => ({ status, progress })),
      onEnd: (status, error) => {
        update((current) => ({ status, error, progress: status === 'done' ? 1 : current.progress }));
        void client.invalidateQueries({ queryKey: ['runs'] });
        void client.invalidateQueries({ queryKey: keys.run(runId) });
      },
      onState: (connection, detail) =>
        update((current) => ({
          connection,
          connectionDetail: detail ?? null,
          reconnects: current.reconnects + (connection === 'reconnecting' && detail?.startsWith('resuming') ? 1 : 0),
        })),
    });
    stream.start();
    return () => stream.close();
  }, [runId, client]);

  if (runId === null) return null;
  return live !== null && live.runId === runId ? live : initial(runId);
}

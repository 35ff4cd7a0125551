import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { keys } from '@/api/queries';
import { RunStream, type ConnectionState, type SignalInfo } from './streamClient';
import { appendChunk, emptyWaveform, type WaveformData } from './waveformData';

export interface LiveRun {
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

const INITIAL: LiveRun = {
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

/**
 * Follows the live stream of a run and collects its chunks into chart data. Returns
 * null while no run is given. The stream reconnects by itself and resumes after the last
 * chunk it received.
 */
export function useRunStream(runId: string | null): LiveRun | null {
  const [live, setLive] = useState<LiveRun | null>(null);
  const dataRef = useRef<WaveformData>(emptyWaveform([]));
  const client = useQueryClient();

  useEffect(() => {
    if (runId === null) {
      setLive(null);
      return;
    }
    dataRef.current = emptyWaveform([]);
    setLive({ ...INITIAL, data: dataRef.current });
    const stream = new RunStream({
      runId,
      onMeta: (signals) => {
        dataRef.current = emptyWaveform(signals);
        setLive((current) => current && { ...current, signals, data: dataRef.current });
      },
      onChunk: (chunk) => {
        appendChunk(dataRef.current, chunk);
        setLive((current) => current && { ...current, version: current.version + 1, chunks: current.chunks + 1 });
      },
      onProgress: (status, progress) => setLive((current) => current && { ...current, status, progress }),
      onEnd: (status, error) => {
        setLive((current) => current && { ...current, status, error, progress: status === 'done' ? 1 : current.progress });
        void client.invalidateQueries({ queryKey: ['runs'] });
        void client.invalidateQueries({ queryKey: keys.run(runId) });
      },
      onState: (connection, detail) =>
        setLive(
          (current) =>
            current && {
              ...current,
              connection,
              connectionDetail: detail ?? null,
              reconnects: current.reconnects + (connection === 'reconnecting' && detail?.startsWith('resuming') ? 1 : 0),
            },
        ),
    });
    stream.start();
    return () => stream.close();
  }, [runId, client]);

  return live;
}

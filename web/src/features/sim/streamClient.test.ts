import { describe, expect, it } from 'vitest';
import { RunStream, streamUrl, type ChunkMessage, type ConnectionState, type SocketLike } from './streamClient';

/** A WebSocket double: the test plays the server by calling `send` and `drop`. */
class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedByClient: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {}

  open() {
    this.onopen?.({});
  }

  send(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** Drops the connection, as the server or the network would. */
  drop(code = 1006) {
    this.onerror?.({});
    this.onclose?.({ code, reason: '' });
  }

  close(code?: number, reason?: string) {
    this.closedByClient = { code, reason };
  }
}

const META = { type: 'meta', signals: [{ name: 'v_out', unit: 'V' }, { name: 'i_l', unit: 'A' }] };

function chunk(seq: number): ChunkMessage {
  return { type: 'chunk', seq, t: [seq * 2, seq * 2 + 1], min: [[seq, seq], [0, 0]], max: [[seq + 1, seq + 1], [1, 1]] };
}

function harness(maxRetries = 3) {
  const sockets: FakeSocket[] = [];
  const chunks: number[] = [];
  const states: ConnectionState[] = [];
  const delays: number[] = [];
  const pending: (() => void)[] = [];
  let metaCalls = 0;
  let ended: { status: string; error: string | null } | null = null;
  const stream = new RunStream({
    runId: 'run-1',
    origin: 'http://127.0.0.1:3101',
    maxRetries,
    socketFactory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    retryDelay: (attempt) => 100 * 2 ** attempt,
    schedule: (callback, ms) => {
      delays.push(ms);
      pending.push(callback);
      return pending.length;
    },
    cancelSchedule: () => undefined,
    onMeta: () => (metaCalls += 1),
    onChunk: (message) => chunks.push(message.seq),
    onState: (state) => states.push(state),
    onEnd: (status, error) => (ended = { status, error }),
  });
  const runTimers = () => {
    while (pending.length > 0) pending.shift()?.();
  };
  const last = () => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('no socket opened');
    return socket;
  };
  return { stream, sockets, chunks, states, delays, runTimers, last, metaCalls: () => metaCalls, ended: () => ended };
}

describe('streamUrl', () => {
  it('builds ws URLs with from', () => {
    expect(streamUrl('http://127.0.0.1:3101', 'abc', 0)).toBe('ws://127.0.0.1:3101/api/v1/simulate/stream/abc');
    expect(streamUrl('https://lab.example/', 'abc', 7)).toBe('wss://lab.example/api/v1/simulate/stream/abc?from=7');
  });
});

describe('RunStream', () => {
  it('delivers chunks in order', () => {
    const h = harness();
    h.stream.start();
    h.last().open();
    h.last().send(META);
    h.last().send(chunk(0));
    h.last().send(chunk(1));
    h.last().send({ type: 'progress', status: 'running', progress: 0.5 });
    expect(h.chunks).toEqual([0, 1]);
    expect(h.stream.nextSeq).toBe(2);
    expect(h.sockets[0]?.url).toBe('ws://127.0.0.1:3101/api/v1/simulate/stream/run-1');
  });

  it('resumes from the next chunk after a drop', () => {
    const h = harness();
    h.stream.start();
    h.last().send(META);
    h.last().send(chunk(0));
    h.last().send(chunk(1));
    h.last().send(chunk(2));
    h.last().drop();

    expect(h.states).toContain('reconnecting');
    expect(h.sockets).toHaveLength(1);
    h.runTimers();
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toBe('ws://127.0.0.1:3101/api/v1/simulate/stream/run-1?from=3');

    // The server sends meta again on every connection, then the chunks from 3 on.
    h.last().send(META);
    h.last().send(chunk(3));
    h.last().send(chunk(4));
    expect(h.chunks).toEqual([0, 1, 2, 3, 4]);
    expect(h.metaCalls()).toBe(1);
  });

  it('ignores chunks it already has', () => {
    const h = harness();
    h.stream.start();
    h.last().send(META);
    h.last().send(chunk(0));
    h.last().send(chunk(1));
    h.last().drop();
    h.runTimers();
    h.last().send(META);
    h.last().send(chunk(1));
    h.last().send(chunk(2));
    expect(h.chunks).toEqual([0, 1, 2]);
  });

  it('reconnects from the first missing chunk after a gap', () => {
    const h = harness();
    h.stream.start();
    const first = h.last();
    first.send(META);
    first.send(chunk(0));
    first.send(chunk(2));
    expect(first.closedByClient?.code).toBe(4000);
    expect(h.chunks).toEqual([0]);
    h.runTimers();
    expect(h.last().url).toContain('?from=1');
    h.last().send(chunk(1));
    h.last().send(chunk(2));
    expect(h.chunks).toEqual([0, 1, 2]);
  });

  it('stops after end without reconnecting', () => {
    const h = harness();
    h.stream.start();
    h.last().send(META);
    h.last().send(chunk(0));
    h.last().send({ type: 'end', status: 'done', error: null });
    h.last().drop(1000);
    h.runTimers();
    expect(h.ended()).toEqual({ status: 'done', error: null });
    expect(h.sockets).toHaveLength(1);
    expect(h.states).toContain('ended');
    expect(h.states).not.toContain('reconnecting');
  });

  it('passes the failure of a run to onEnd', () => {
    const h = harness();
    h.stream.start();
    h.last().send({ type: 'end', status: 'failed', error: 'step too coarse' });
    expect(h.ended()).toEqual({ status: 'failed', error: 'step too coarse' });
  });

  it('backs off and gives up after maxRetries drops in a row', () => {
    const h = harness(3);
    h.stream.start();
    h.last().send(META);
    h.last().send(chunk(0));
    for (let i = 0; i < 4; i += 1) {
      h.last().drop();
      h.runTimers();
    }
    expect(h.delays).toEqual([100, 200, 400]);
    expect(h.sockets).toHaveLength(4);
    expect(h.states[h.states.length - 1]).toBe('failed');
    expect(h.sockets.slice(1).every((socket) => socket.url.endsWith('?from=1'))).toBe(true);
  });

  it('restarts the retry budget after a chunk arrives', () => {
    const h = harness(2);
    h.stream.start();
    h.last().send(META);
    for (let seq = 0; seq < 4; seq += 1) {
      h.last().send(chunk(seq));
      h.last().drop();
      h.runTimers();
    }
    expect(h.delays).toEqual([100, 100, 100, 100]);
    expect(h.states).not.toContain('failed');
    expect(h.last().url).toContain('?from=4');
  });

  it('closes without reconnecting when the client closes', () => {
    const h = harness();
    h.stream.start();
    const socket = h.last();
    h.stream.close();
    expect(socket.closedByClient?.code).toBe(1000);
    socket.drop();
    h.runTimers();
    expect(h.sockets).toHaveLength(1);
  });
});

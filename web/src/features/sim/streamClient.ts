/**
 * Client of the live waveform stream `WS /api/v1/simulate/stream/{id}?from=SEQ`.
 *
 * The server sends `meta` once per connection, then `chunk` messages numbered from 0,
 * `progress` while the run is queued or running, and `end` before it closes. A socket
 * that closes before `end` is reopened with `?from=` set to the next chunk this client
 * needs, so no chunk is lost or counted twice across reconnects.
 */

export interface SignalInfo {
  name: string;
  unit: string;
}

export interface MetaMessage {
  type: 'meta';
  signals: SignalInfo[];
}

export interface ChunkMessage {
  type: 'chunk';
  seq: number;
  t: number[];
  /** One array per signal, in the order of `meta.signals`. */
  min: number[][];
  max: number[][];
}

export interface ProgressMessage {
  type: 'progress';
  status: string;
  progress: number;
}

export interface EndMessage {
  type: 'end';
  status: string;
  error?: string | null;
}

export type StreamMessage = MetaMessage | ChunkMessage | ProgressMessage | EndMessage;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'failed' | 'closed';

/** The part of the WebSocket API the client uses, so tests can pass a fake. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close: (code?: number, reason?: string) => void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface StreamHandlers {
  onMeta?: (signals: SignalInfo[]) => void;
  onChunk?: (chunk: ChunkMessage) => void;
  onProgress?: (status: string, progress: number) => void;
  onEnd?: (status: string, error: string | null) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
}

export interface StreamOptions extends StreamHandlers {
  runId: string;
  /** Origin of the WebSocket, e.g. `ws://127.0.0.1:3101`; defaults to the page's origin. */
  origin?: string;
  socketFactory?: SocketFactory;
  /** Reconnects in a row without a message in between before the client gives up. */
  maxRetries?: number;
  /** Delay before reconnect attempt n (0-based), in milliseconds. */
  retryDelay?: (attempt: number) => number;
  /** Timer used for reconnect delays; tests pass a synchronous or fake one. */
  schedule?: (callback: () => void, ms: number) => unknown;
  cancelSchedule?: (handle: unknown) => void;
}

/** Returns the WebSocket URL of a run's stream, starting at chunk `from`. */
export function streamUrl(origin: string, runId: string, from: number): string {
  const base = origin.replace(/^http/, 'ws').replace(/\/$/, '');
  const query = from > 0 ? `?from=${from}` : '';
  return `${base}/api/v1/simulate/stream/${encodeURIComponent(runId)}${query}`;
}

function defaultOrigin(): string {
  if (typeof window === 'undefined') {
    throw new Error('streamClient needs an origin outside a browser');
  }
  return window.location.origin;
}

function parse(data: unknown): StreamMessage | null {
  if (typeof data !== 'string') {
    return null;
  }
  try {
    const message = JSON.parse(data) as StreamMessage;
    return typeof message === 'object' && message !== null && 'type' in message ? message : null;
  } catch {
    return null;
  }
}

export class RunStream {
  private readonly options: Required<Pick<StreamOptions, 'maxRetries' | 'retryDelay' | 'schedule' | 'cancelSchedule'>> & StreamOptions;
  private socket: SocketLike | null = null;
  private nextSeqValue = 0;
  private attempts = 0;
  private timer: unknown = null;
  private finished = false;
  private metaSeen = false;
  private connections = 0;

  constructor(options: StreamOptions) {
    this.options = {
      maxRetries: 8,
      retryDelay: (attempt) => Math.min(250 * 2 ** attempt, 5000),
      schedule: (callback, ms) => setTimeout(callback, ms),
      cancelSchedule: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** Sequence number of the next chunk this client needs (the `?from=` of a reconnect). */
  get nextSeq(): number {
    return this.nextSeqValue;
  }

  /** Number of sockets opened so far, the first one included. */
  get connectionCount(): number {
    return this.connections;
  }

  start(): void {
    this.connect('connecting');
  }

  /** Closes the socket and stops reconnecting. */
  close(): void {
    this.finished = true;
    if (this.timer !== null) {
      this.options.cancelSchedule(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.close(1000, 'client closed');
    }
    this.options.onState?.('closed');
  }

  private connect(state: ConnectionState): void {
    this.timer = null;
    if (this.finished) {
      return;
    }
    this.options.onState?.(state, state === 'reconnecting' ? `resuming from chunk ${this.nextSeqValue}` : undefined);
    const factory = this.options.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const url = streamUrl(this.options.origin ?? defaultOrigin(), this.options.runId, this.nextSeqValue);
    const socket = factory(url);
    this.socket = socket;
    this.connections += 1;
    socket.onopen = () => this.options.onState?.('open');
    socket.onmessage = (event) => this.handle(event.data);
    socket.onerror = () => {
      // A close event always follows an error; the reconnect happens there.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      if (this.finished) {
        return;
      }
      this.reconnect(`closed with code ${event.code}${event.reason ? ` (${event.reason})` : ''}`);
    };
  }

  private reconnect(reason: string): void {
    if (this.attempts >= this.options.maxRetries) {
      this.finished = true;
      this.options.onState?.('failed', `the stream ${reason}; gave up after ${this.attempts} reconnects`);
      return;
    }
    const delay = this.options.retryDelay(this.attempts);
    this.attempts += 1;
    this.options.onState?.('reconnecting', `the stream ${reason}; reconnecting from chunk ${this.nextSeqValue}`);
    this.timer = this.options.schedule(() => this.connect('reconnecting'), delay);
  }

  private handle(data: unknown): void {
    const message = parse(data);
    if (!message) {
      return;
    }
    switch (message.type) {
      case 'meta':
        if (!this.metaSeen) {
          this.metaSeen = true;
          this.options.onMeta?.(message.signals);
        }
        break;
      case 'chunk':
        this.handleChunk(message);
        break;
      case 'progress':
        this.attempts = 0;
        this.options.onProgress?.(message.status, message.progress);
        break;
      case 'end':
        this.finished = true;
        this.options.onState?.('ended');
        this.options.onEnd?.(message.status, message.error ?? null);
        break;
    }
  }

  private handleChunk(chunk: ChunkMessage): void {
    if (chunk.seq < this.nextSeqValue) {
      // A chunk this client already has, sent again after a reconnect.
      return;
    }
    if (chunk.seq > this.nextSeqValue) {
      // A gap: drop this socket and ask again from the first missing chunk.
      const socket = this.socket;
      if (socket) {
        this.socket = null;
        socket.onclose = null;
        socket.onmessage = null;
        socket.close(4000, 'chunk gap');
      }
      this.reconnect(`skipped from chunk ${this.nextSeqValue} to ${chunk.seq}`);
      return;
    }
    // A chunk in order proves the connection works, so the retry budget starts again.
    this.attempts = 0;
    this.nextSeqValue = chunk.seq + 1;
    this.options.onChunk?.(chunk);
  }
}

// Types for wirehub.js, the wirehub client (docs/client.md).

export type Transport = 'sse' | 'ws';
export type State = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';
/** A token, or a function that returns a fresh one (called again after a 401 or token_expired). */
export type TokenSource = string | (() => string | Promise<string>);

export interface WirehubEvent {
  topic: string;
  seq: number;
  /** The event name given at publish (`?event=`), or null. */
  event: string | null;
  /** JSON data parsed (objects and arrays); text as a string. */
  data: unknown;
  /** The stream's cursor after this event. */
  id: string;
}

export interface Snapshot {
  topic: string;
  seq: number;
  truncated?: boolean;
  events: Array<{ seq: number; event?: string; time: string; data: unknown }>;
}

export interface Reset {
  topic: string;
  /** The stream goes on after this seq. */
  seq: number;
  reason: 'replay_limit' | 'retention' | 'unknown_cursor' | 'lag_limit' | string;
  /** The snapshot's path, `/v1/topics/{topic}/snapshot`. */
  snapshot: string;
  /** Reads the snapshot; the stream then skips the events at or below its seq. */
  fetchSnapshot(options?: { limit?: number }): Promise<Snapshot>;
}

export interface StateDetail {
  /** How long until the next attempt ('waiting'). */
  delay?: number;
  attempt?: number;
  error?: WirehubError | null;
  reason?: string;
}

export interface ConnectOptions {
  /** wirehub's base URL, e.g. `https://hub.example/` (a browser page: its own origin by default). */
  url?: string | URL;
  topics?: string[];
  /** Default 'sse'. */
  transport?: Transport;
  token?: TokenSource;
  onEvent?(event: WirehubEvent): void;
  onReset?(reset: Reset): void;
  onStateChange?(state: State, detail: StateDetail): void;
  /** A refusal that ends the client (401 twice, 403, 400), or a WebSocket op's error. */
  onError?(error: WirehubError): void;
  /** Resume from a cursor kept from an earlier client (`client.lastEventId`). */
  lastEventId?: string;
  /** A WebSocket class (e.g. the `ws` package's) where there is no global one. */
  WebSocket?: unknown;
  /** Backoff bounds in ms: full jitter between 0 and min(maxDelay, minDelay * 2^attempt). Defaults 500, 30000. */
  minDelay?: number;
  maxDelay?: number;
  /** SSE: reconnect when nothing (not even a heartbeat) arrived for this long, ms. Default 60000; 0: never. */
  idleTimeout?: number;
  /** Attempts after the first before publish() gives up. Default 8. */
  publishRetries?: number;
}

export interface Published {
  topic: string;
  seq: number;
  /** The key had published already: this is the first outcome, nothing was stored again. */
  replayed: boolean;
}

export declare class WirehubError extends Error {
  /** The server's error code (`forbidden`, `overloaded` ...), or `network`, `closed`, `timeout`, `token`. */
  readonly code: string;
  /** HTTP status, 0 when none. */
  readonly status: number;
  /** Seconds the server asked to wait, 0 when it did not say. */
  readonly retryAfter: number;
  readonly retryable: boolean;
}

export interface Client {
  readonly state: State;
  /** The cursor: `epoch~topic:seq,...`, or null before the first position. */
  readonly lastEventId: string | null;
  readonly topics: string[];
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): void;
  publish(topic: string, data: unknown, options?: { event?: string; idempotencyKey?: string }): Promise<Published>;
  snapshot(topic: string, options?: { limit?: number }): Promise<Snapshot>;
  close(): void;
}

export declare function connect(options: ConnectOptions): Client;

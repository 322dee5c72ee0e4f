// wirehub's JavaScript client: one stream (SSE or WebSocket) that keeps its cursor across
// reconnects and instances, reports resets, refreshes tokens, backs off with full jitter and
// publishes exactly once. ES module, no dependencies; browsers and Node >= 20. docs/client.md.

const MIN_DELAY = 500; // full-jitter backoff: random(0, min(max, MIN_DELAY * 2^attempt))
const MAX_DELAY = 30000;
const PROVEN_MS = 10000; // a stream open this long (or that delivered an event) resets the backoff
const TOKEN_MARGIN_MS = 5000; // a JWT this close to its exp is refreshed before use
// Publish refusals worth another try with the same key: nothing was stored, or the key tells.
const RETRY_CODES = ['network', 'overloaded', 'shutting_down', 'store_unavailable', 'too_many_connections',
  'idempotency_key_in_use', 'rate_limited', 'internal_error'];

/** A refusal from wirehub, or a failure on the way to it. */
export class WirehubError extends Error {
  constructor(code, message, status = 0, retryAfter = 0) {
    super(message);
    this.name = 'WirehubError';
    this.code = code; // the server's error code, or 'network', 'closed', 'timeout'
    this.status = status; // HTTP status, 0 when none
    this.retryAfter = retryAfter; // seconds the server asked to wait, 0 when it did not say
  }

  get retryable() {
    return RETRY_CODES.includes(this.code) || this.status === 502 || this.status === 504;
  }
}

/** Opens a stream of `topics` and keeps it open until `close()`. */
export function connect(options) {
  return new Client(options);
}

/** The stream's position: the store's epoch and each topic's seq, as the server's ids name them. */
function parseId(id) {
  const at = id.indexOf('~');
  const epoch = at < 0 ? null : id.slice(0, at);
  const rest = id.slice(at + 1);
  const seqs = new Map();
  if (!rest.includes(':')) return { epoch, seqs, plain: Number(rest) };
  for (const pair of rest.split(',')) {
    const colon = pair.lastIndexOf(':');
    seqs.set(pair.slice(0, colon), Number(pair.slice(colon + 1)));
  }
  return { epoch, seqs, plain: null };
}

function jwtExpiry(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part)).exp * 1000 || 0;
  } catch {
    return 0;
  }
}

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function refusal(res) {
  const body = await res.json().catch(() => ({}));
  const retryAfter = Number(res.headers.get('Retry-After')) || 0;
  return new WirehubError(body.error || 'http_' + res.status, body.message || res.statusText, res.status, retryAfter);
}

/** SSE event data: JSON objects and arrays parsed, as a WebSocket delivers them; other text as is. */
function sseData(text) {
  if (text[0] === '{' || text[0] === '[') {
    try {
      return JSON.parse(text);
    } catch { /* text that looks like JSON */ }
  }
  return text;
}

class Client {
  #o;
  #base;
  #topics; // wanted, in order
  #pos = new Map(); // topic -> last seq delivered (or the seq a stream starts after)
  #floor = new Map(); // topic -> seq of a snapshot read: events at or below it are skipped
  #epoch = null;
  #state = 'idle';
  #gen = 0; // one connect loop: a callback of an older connection sees a newer #gen and stops
  #attempt = 0;
  #hint = 0; // ms the server asked to wait (retry:, Retry-After)
  #retryMs = 0; // the stream's last retry:
  #timer = null; // the reconnect
  #watchdog = null;
  #abort = null; // the SSE request
  #ws = null;
  #wsReady = false;
  #opened = 0; // when the current stream opened (0: not open)
  #delivered = false;
  #token = null;
  #tokenRun = null;
  #authFailures = 0;
  #sleeps = new Set(); // publish back-offs: cleared by close()
  #requests = new AbortController(); // publishes and snapshots in flight
  #pending = new Map(); // WebSocket publishes by id_key
  #waiters = new Map(); // topic -> resolvers of subscribe() promises
  #online = () => this.#state === 'waiting' && this.#reconnect(0);
  #closed = false;

  constructor(options) {
    this.#o = { transport: 'sse', idleTimeout: 60000, minDelay: MIN_DELAY, maxDelay: MAX_DELAY, publishRetries: 8, ...options };
    if (!['sse', 'ws'].includes(this.#o.transport)) throw new TypeError("transport must be 'sse' or 'ws'");
    this.#base = new URL(this.#o.url ?? globalThis.location.origin);
    this.#topics = [...new Set(this.#o.topics ?? [])];
    if (this.#o.lastEventId) this.#adopt(this.#o.lastEventId);
    globalThis.addEventListener?.('online', this.#online);
    this.#reconnect(0);
  }

  /** 'idle' (no topic), 'connecting', 'open', 'waiting' (to reconnect), 'closed'. */
  get state() {
    return this.#state;
  }

  /** The cursor to resume from (also across instances and page loads): `epoch~topic:seq,...`. */
  get lastEventId() {
    const pairs = this.#topics.filter((t) => this.#pos.has(t)).sort().map((t) => t + ':' + this.#pos.get(t));
    return this.#epoch && pairs.length ? this.#epoch + '~' + pairs.join(',') : null;
  }

  get topics() {
    return [...this.#topics];
  }

  /** Follows one more topic from now on; resolves once its events flow. */
  subscribe(topic) {
    if (this.#closed) return Promise.reject(new WirehubError('closed', 'the client is closed'));
    const live = new Promise((resolve, reject) => {
      const list = this.#waiters.get(topic) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(topic, list);
    });
    if (!this.#topics.includes(topic)) {
      this.#topics.push(topic);
      this.#change('subscribe', topic);
    } else if (this.#opened) {
      this.#settle(topic);
    }
    return live;
  }

  /** Stops following a topic (its position is forgotten). */
  unsubscribe(topic) {
    if (!this.#topics.includes(topic)) return;
    this.#topics = this.#topics.filter((t) => t !== topic);
    this.#pos.delete(topic);
    this.#change('unsubscribe', topic);
  }

  #change(op, topic) {
    if (this.#o.transport === 'ws' && this.#wsReady) {
      this.#ws.send(JSON.stringify({ op, topic }));
    } else if (this.#o.transport === 'ws' && this.#ws) {
      // still opening: the ready message tells what it follows, and #ready sends the difference
    } else {
      // SSE: its topics are its URL's, so a new stream, resuming from the cursor, at once
      this.#reconnect(0);
    }
    if (!this.#topics.length) this.#reconnect(0);
  }

  /**
   * Publishes one event and resolves with `{topic, seq, replayed}` once it is stored. One
   * idempotency key for all its attempts, so retries after a cut connection or a 503 store it once.
   */
  async publish(topic, data, { event, idempotencyKey = randomKey() } = {}) {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new WirehubError('closed', 'the client is closed; the publish may or may not have been stored');
      let error;
      try {
        return this.#wsReady ? await this.#publishWs(topic, data, event, idempotencyKey)
          : await this.#publishHttp(topic, data, event, idempotencyKey);
      } catch (e) {
        if (!(e instanceof WirehubError)) throw e;
        error = e;
      }
      if (error.code === 'unauthorized' && typeof this.#o.token === 'function' && !refreshed) {
        refreshed = true;
        this.#token = null;
        continue;
      }
      if (!error.retryable || attempt > this.#o.publishRetries) throw error;
      await this.#sleep(error.retryAfter * 1000 + Math.random() * Math.min(this.#o.maxDelay, this.#o.minDelay * 2 ** attempt));
    }
  }

  async #publishHttp(topic, data, event, key) {
    const url = new URL('v1/topics/' + encodeURIComponent(topic) + '/events', this.#base);
    if (event) url.searchParams.set('event', event);
    const json = typeof data !== 'string';
    const headers = { 'Idempotency-Key': key, 'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8' };
    const token = await this.#getToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    let res;
    try {
      res = await fetch(url, { method: 'POST', headers, body: json ? JSON.stringify(data) : data, signal: this.#requests.signal });
    } catch (e) {
      if (this.#closed) throw new WirehubError('closed', 'the client is closed; the publish may or may not have been stored');
      throw new WirehubError('network', 'no answer (' + e.message + '); the publish may or may not have been stored');
    }
    if (res.status !== 201) throw await refusal(res);
    const ack = await res.json();
    return { topic: ack.topic, seq: ack.seq, replayed: res.headers.get('Idempotent-Replayed') === 'true' };
  }

  #publishWs(topic, data, event, key) {
    return new Promise((resolve, reject) => {
      this.#pending.set(key, { resolve, reject });
      const op = { op: 'publish', topic, data, id_key: key };
      if (event) op.event = event;
      this.#ws.send(JSON.stringify(op));
    });
  }

  /** The topic's latest seq and last events; the stream then skips events at or below that seq. */
  async snapshot(topic, { limit } = {}) {
    const url = new URL('v1/topics/' + encodeURIComponent(topic) + '/snapshot', this.#base);
    if (limit) url.searchParams.set('limit', limit);
    const token = await this.#getToken();
    const res = await fetch(url, { headers: token ? { Authorization: 'Bearer ' + token } : {}, signal: this.#requests.signal });
    if (res.status !== 200) throw await refusal(res);
    const snap = await res.json();
    this.#floor.set(topic, Math.max(snap.seq, this.#floor.get(topic) ?? 0));
    return snap;
  }

  /** Ends the stream and everything the client runs: no timer, no socket, no request is left. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop();
    this.#requests.abort();
    for (const sleep of this.#sleeps) sleep();
    globalThis.removeEventListener?.('online', this.#online);
    for (const list of this.#waiters.values()) list.forEach((w) => w.reject(new WirehubError('closed', 'the client is closed')));
    this.#waiters.clear();
    this.#setState('closed', {});
  }

  // ---- the connect loop ----

  /** Ends the current connection (if any) and schedules the next one `delay` ms from now. */
  #reconnect(delay, detail = {}) {
    this.#stop();
    if (this.#closed) return;
    if (!this.#topics.length) return this.#setState('idle', {});
    const gen = this.#gen;
    if (delay > 0) this.#setState('waiting', { delay, attempt: this.#attempt, ...detail });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (gen === this.#gen) this.#open(gen);
    }, delay);
  }

  /** Forgets the current connection: later callbacks of it find a newer generation. */
  #stop() {
    this.#gen++;
    clearTimeout(this.#timer);
    this.#timer = null;
    clearInterval(this.#watchdog);
    this.#watchdog = null;
    this.#abort?.abort();
    this.#abort = null;
    if (this.#ws) {
      const ws = this.#ws;
      this.#ws = null;
      ws.onmessage = ws.onclose = ws.onerror = () => {}; // the ws package throws an 'error' nobody listens to
      try {
        ws.close(1000);
      } catch { /* not open yet in an old implementation */ }
    }
    this.#wsReady = false;
    for (const [key, p] of this.#pending) {
      this.#pending.delete(key);
      p.reject(new WirehubError('network', 'the WebSocket closed before the publish was answered'));
    }
    if (this.#opened && (this.#delivered || Date.now() - this.#opened > PROVEN_MS)) this.#attempt = 0;
    this.#opened = 0;
    this.#delivered = false;
  }

  async #open(gen) {
    this.#setState('connecting', { attempt: this.#attempt });
    let token;
    try {
      token = await this.#getToken();
    } catch (e) {
      return gen === this.#gen && this.#retry(new WirehubError('token', 'the token function failed: ' + e.message));
    }
    if (gen !== this.#gen) return;
    if (this.#o.transport === 'ws') this.#openWs(gen, token);
    else this.#openSse(gen, token);
  }

  /** Waits the backoff, or longer when the server asked, then reconnects. */
  #retry(error) {
    const cap = Math.min(this.#o.maxDelay, this.#o.minDelay * 2 ** this.#attempt++);
    const delay = Math.max(this.#hint, error?.retryAfter * 1000 || 0) + Math.random() * cap;
    this.#hint = 0;
    this.#reconnect(delay, { error });
  }

  /** A refused stream (status and body known): retry, refresh the token, or stop for good. */
  #refused(error) {
    if (error.status === 401 && typeof this.#o.token === 'function' && this.#authFailures++ < 1) {
      this.#token = null;
      return this.#reconnect(0, { error });
    }
    if ([400, 401, 403, 404].includes(error.status)) return this.#fail(error);
    this.#retry(error); // 429, 503, 5xx: Retry-After and backoff
  }

  #fail(error) {
    this.#o.onError?.(error);
    this.close();
  }

  #opening(live) {
    this.#opened = Date.now();
    this.#authFailures = 0;
    this.#setState('open', {});
    for (const topic of live) this.#settle(topic);
  }

  #settle(topic) {
    this.#waiters.get(topic)?.forEach((w) => w.resolve());
    this.#waiters.delete(topic);
  }

  async #getToken() {
    const t = this.#o.token;
    if (typeof t !== 'function') return t ?? null;
    const exp = this.#token ? jwtExpiry(this.#token) : 0;
    if (this.#token && (!exp || exp - Date.now() > TOKEN_MARGIN_MS)) return this.#token;
    this.#tokenRun ??= Promise.resolve()
      .then(t)
      .then((fresh) => (this.#token = fresh))
      .finally(() => (this.#tokenRun = null));
    return this.#tokenRun;
  }

  #sleep(ms) {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new WirehubError('closed', 'the client is closed'));
      const done = () => {
        clearTimeout(timer);
        this.#sleeps.delete(done);
        this.#closed ? reject(new WirehubError('closed', 'the client is closed')) : resolve();
      };
      const timer = setTimeout(done, ms);
      this.#sleeps.add(done);
    });
  }

  #setState(state, detail) {
    if (state === this.#state && state !== 'waiting') return;
    this.#state = state;
    this.#o.onStateChange?.(state, detail);
  }

  #url(path, token) {
    const url = new URL(path, this.#base);
    for (const t of this.#topics) url.searchParams.append('topic', t);
    const id = this.lastEventId;
    if (id) url.searchParams.set('lastEventId', id);
    if (token) url.searchParams.set('access_token', token);
    return url;
  }

  // ---- what arrives ----

  /** Takes the positions an id names; returns the topic whose seq it advanced, if any. */
  #adopt(id, streamTopics = this.#topics) {
    const { epoch, seqs, plain } = parseId(id);
    if (epoch) this.#epoch = epoch;
    if (plain !== null) seqs.set(streamTopics[0], plain); // a one-topic SSE stream's plain seq
    let moved = null;
    for (const [topic, seq] of seqs) {
      if (!streamTopics.includes(topic)) continue;
      if (moved === null && seq > (this.#pos.get(topic) ?? -1)) moved = topic;
      this.#pos.set(topic, seq);
    }
    return moved;
  }

  #event(topic, seq, event, data, id) {
    if (!this.#topics.includes(topic) || seq <= (this.#floor.get(topic) ?? 0)) return;
    this.#delivered = true;
    this.#o.onEvent?.({ topic, seq, event: event ?? null, data, id });
  }

  #reset(r) {
    this.#floor.delete(r.topic);
    this.#o.onReset?.({
      topic: r.topic, seq: r.seq, reason: r.reason, snapshot: r.snapshot,
      fetchSnapshot: (options) => this.snapshot(r.topic, options),
    });
  }

  // ---- SSE: fetch and a stream reader, so headers, statuses and Retry-After work ----

  async #openSse(gen, token) {
    const abort = (this.#abort = new AbortController());
    const streamTopics = [...this.#topics];
    const url = this.#url('v1/sse', null);
    let res;
    try {
      res = await fetch(url, {
        headers: { Accept: 'text/event-stream', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
        signal: abort.signal, cache: 'no-store',
      });
    } catch (e) {
      return gen === this.#gen && this.#retry(new WirehubError('network', e.message));
    }
    if (gen !== this.#gen) return res.body?.cancel().catch(() => {});
    if (res.status !== 200) return this.#refused(await refusal(res));
    let last = Date.now();
    if (this.#o.idleTimeout > 0) {
      this.#watchdog = setInterval(() => {
        if (Date.now() - last > this.#o.idleTimeout) this.#retry(new WirehubError('timeout', 'no heartbeat'));
      }, this.#o.idleTimeout / 4);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let frame = { data: [] };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (gen !== this.#gen) return reader.cancel().catch(() => {});
        if (done) break;
        last = Date.now();
        buffer += value;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line === '') {
            const ended = this.#sseFrame(frame, streamTopics);
            frame = { data: [] };
            if (gen !== this.#gen || ended) return reader.cancel().catch(() => {});
            continue;
          }
          const colon = line.indexOf(':');
          if (colon === 0) continue; // a heartbeat comment
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') frame.data.push(value);
          else if (field === 'id') frame.id = value;
          else if (field === 'event') frame.event = value;
          else if (field === 'retry' && /^\d+$/.test(value)) this.#retryMs = Number(value);
        }
      }
    } catch (e) {
      return gen === this.#gen && this.#retry(new WirehubError('network', e.message));
    }
    if (gen !== this.#gen) return;
    // The server ended the stream (a drain, a write timeout): come back after its retry:.
    this.#hint = this.#retryMs;
    this.#retry(null);
  }

  /** Applies one SSE frame; returns true when the stream is over (token expired). */
  #sseFrame(frame, streamTopics) {
    if (!frame.data.length) {
      if (frame.id !== undefined && !this.#opened) {
        this.#adopt(frame.id, streamTopics); // the opening id: where each topic starts
        this.#opening(streamTopics);
      }
      return false;
    }
    const data = frame.data.join('\n');
    if (frame.event === 'token_expired') {
      this.#token = null;
      this.#reconnect(0, { reason: 'token_expired' });
      return true;
    }
    if (!this.#opened) this.#opening(streamTopics); // a server without the opening id
    const topic = frame.id !== undefined ? this.#adopt(frame.id, streamTopics) : null;
    if (frame.event === 'reset') {
      const r = JSON.parse(data);
      this.#pos.set(r.topic, r.seq);
      this.#reset(r);
    } else if (topic !== null) {
      this.#event(topic, this.#pos.get(topic), frame.event, sseData(data), frame.id);
    }
    return false;
  }

  // ---- WebSocket: the ready / subscribe / publish protocol ----

  #openWs(gen, token) {
    const WS = this.#o.WebSocket ?? globalThis.WebSocket;
    const url = this.#url('v1/ws', token);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      ws = this.#ws = new WS(url.href);
    } catch (e) {
      return this.#retry(new WirehubError('network', e.message));
    }
    ws.onerror = () => {}; // a close follows; the ws package throws an 'error' nobody listens to
    ws.onmessage = (m) => gen === this.#gen && this.#wsMessage(JSON.parse(m.data));
    ws.onclose = (e) => gen === this.#gen && this.#wsClosed(e.code, e.reason, url);
  }

  async #wsClosed(code, reason, url) {
    const ready = this.#wsReady;
    this.#ws = null;
    this.#wsReady = false;
    if (code === 1008 && /^token expired/.test(reason)) {
      this.#token = null;
      return this.#reconnect(0, { reason: 'token_expired' });
    }
    if (ready) return this.#retry(new WirehubError('closed_' + code, reason || 'the WebSocket closed'));
    // Refused before ready: a browser hides the upgrade's status, so ask the same URL over plain
    // HTTP, which answers the refusal (401, 403, 503 ...) or 426 when only the upgrade failed.
    const gen = this.#gen;
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    let res = null;
    try {
      res = await fetch(url, { signal: this.#requests.signal });
    } catch { /* unreachable, or a cross-origin answer the page may not read */ }
    if (gen !== this.#gen) return;
    if (res && res.status !== 426) return this.#refused(await refusal(res));
    this.#retry(new WirehubError('network', 'the WebSocket did not open'));
  }

  #wsMessage(m) {
    switch (m.op) {
      case undefined:
        if (!this.#topics.includes(m.topic) || m.seq <= (this.#pos.get(m.topic) ?? -1)) return;
        this.#pos.set(m.topic, m.seq);
        this.#epoch = parseId(m.id).epoch;
        return this.#event(m.topic, m.seq, m.event, m.data, m.id);
      case 'ready':
        this.#wsReady = true;
        this.#epoch = parseId(m.id).epoch;
        for (const [topic, seq] of Object.entries(m.topics)) this.#pos.set(topic, seq);
        for (const topic of this.#topics) if (!(topic in m.topics)) this.#ws.send(JSON.stringify({ op: 'subscribe', topic }));
        for (const topic in m.topics) if (!this.#topics.includes(topic)) this.#ws.send(JSON.stringify({ op: 'unsubscribe', topic }));
        this.#opening(Object.keys(m.topics));
        return;
      case 'subscribed':
        if (this.#topics.includes(m.topic)) this.#pos.set(m.topic, m.seq);
        return this.#settle(m.topic);
      case 'reset':
        this.#pos.set(m.topic, m.seq);
        this.#epoch = parseId(m.id).epoch;
        return this.#reset(m);
      case 'published': {
        const p = this.#pending.get(m.id_key);
        this.#pending.delete(m.id_key);
        return p?.resolve({ topic: m.topic, seq: m.seq, replayed: !!m.replayed });
      }
      case 'error': {
        const error = new WirehubError(m.error, m.message, 0, m.retry_after || 0);
        const p = m.id_key && this.#pending.get(m.id_key);
        if (p) {
          this.#pending.delete(m.id_key);
          return p.reject(error);
        }
        if (m.topic && this.#waiters.has(m.topic)) {
          this.#topics = this.#topics.filter((t) => t !== m.topic);
          this.#waiters.get(m.topic).forEach((w) => w.reject(error));
          this.#waiters.delete(m.topic);
        }
        return this.#o.onError?.(error);
      }
    }
  }
}

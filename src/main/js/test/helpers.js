// What the client tests share: the servers JsClientIT started (their URLs in the environment),
// tokens, raw publishes, and a recorder of what a client saw.
import { createHmac } from 'node:crypto';
import WS from 'ws';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests run from JsClientIT (mvn verify -Dtest=JsClientIT)`);
  return value;
};

/** Both transports; WebSocket with the `ws` package passed in, as a Node app without a global WebSocket does. */
export const TRANSPORTS = [
  { transport: 'sse' },
  { transport: 'ws', WebSocket: WS },
];

/** An HS256 JWT as an issuer would mint it. */
export function token({ sub = 'tester', ttl = 600, subscribe = ['*'], publish = ['*'] } = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({
    sub, exp: Math.floor(Date.now() / 1000) + ttl, 'wirehub.subscribe': subscribe, 'wirehub.publish': publish,
  });
  return body + '.' + createHmac('sha256', env('WH_SECRET')).update(body).digest('base64url');
}

/** A plain publish, as another app would make it; returns the seq. */
export async function publish(base, topic, data, bearer) {
  const res = await fetch(new URL(`v1/topics/${topic}/events`, base), {
    method: 'POST', body: JSON.stringify(data),
    headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: 'Bearer ' + bearer } : {}) },
  });
  if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
  return (await res.json()).seq;
}

export async function control(path) {
  const res = await fetch(new URL(path, env('WH_CONTROL')), { method: 'POST' });
  if (res.status !== 200) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
}

export async function until(what, condition, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** connect() options that record every event, reset, state and error. */
export function recorder() {
  const seen = { events: [], resets: [], states: [], errors: [] };
  seen.options = {
    onEvent: (e) => seen.events.push(e),
    onReset: (r) => seen.resets.push(r),
    onStateChange: (s, detail) => seen.states.push({ state: s, ...detail }),
    onError: (e) => seen.errors.push(e),
  };
  seen.seqs = (topic) => seen.events.filter((e) => e.topic === topic).map((e) => e.seq);
  seen.open = () => until('the stream open', () => seen.states.at(-1)?.state === 'open');
  return seen;
}

export const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

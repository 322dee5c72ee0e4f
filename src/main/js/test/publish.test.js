import { test } from 'node:test';
import assert from 'node:assert/strict';
import WS from 'ws';
import { connect } from '../wirehub.js';
import { env, control, token, until, recorder, range } from './helpers.js';

async function snapshot(base, topic, bearer) {
  const res = await fetch(new URL(`v1/topics/${topic}/snapshot`, base), { headers: bearer ? { Authorization: 'Bearer ' + bearer } : {} });
  return res.json();
}

test('a publish whose answer is lost on a cut connection is retried with its key and stored once', async () => {
  const front = env('WH_MEM_FRONT');
  const topic = 'once.' + Date.now();
  const client = connect({ url: front, topics: [] }); // no stream: publishes only
  try {
    await control('mem/cut-next-answer');
    const ack = await client.publish(topic, { n: 1 });
    assert.equal(ack.seq, 1);
    assert.equal(ack.replayed, true, 'the first attempt was stored, its answer lost; the retry got that outcome');
    const stored = await snapshot(front, topic);
    assert.equal(stored.seq, 1);
    assert.deepEqual(stored.events.map((e) => e.data), [{ n: 1 }], 'stored once');
  } finally {
    client.close();
  }
});

test('over a WebSocket, publishes are answered in the order sent and a retried key is stored once', async () => {
  const mem = env('WH_MEM');
  const topic = 'chat.' + Date.now();
  const seen = recorder();
  const client = connect({ url: mem, topics: [topic], transport: 'ws', WebSocket: WS, ...seen.options });
  try {
    await seen.open();
    const acks = await Promise.all(range(1, 5).map((n) => client.publish(topic, { n }, { event: 'line' })));
    assert.deepEqual(acks.map((a) => a.seq), range(1, 5));
    const first = await client.publish(topic, 'hello', { idempotencyKey: 'the-same-key' });
    const again = await client.publish(topic, 'hello', { idempotencyKey: 'the-same-key' });
    assert.equal(again.seq, first.seq);
    assert.equal(again.replayed, true);
    await until('6 events', () => seen.events.length === 6);
    assert.deepEqual(seen.seqs(topic), range(1, 6));
    assert.equal(seen.events[0].event, 'line');
    assert.deepEqual(seen.events[0].data, { n: 1 });
    assert.equal(seen.events[5].data, 'hello');
    assert.equal((await snapshot(mem, topic)).seq, 6);
  } finally {
    client.close();
  }
});

test('a publish the token does not permit is refused at once (WebSocket and HTTP), not retried', async () => {
  const b = env('WH_B');
  const topic = 'guarded.' + Date.now();
  const reader = token({ subscribe: [topic], publish: [] });
  const seen = recorder();
  const ws = connect({ url: b, topics: [topic], transport: 'ws', WebSocket: WS, token: reader, ...seen.options });
  const http = connect({ url: b, topics: [], token: reader });
  try {
    await seen.open();
    for (const client of [ws, http]) {
      await assert.rejects(client.publish(topic, { n: 1 }), (e) => e.code === 'forbidden' && !e.retryable);
    }
    assert.equal((await snapshot(b, topic, reader)).seq, 0, 'nothing stored');
  } finally {
    ws.close();
    http.close();
  }
});

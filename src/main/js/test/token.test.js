import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../wirehub.js';
import { TRANSPORTS, env, publish, token, until, recorder } from './helpers.js';

test('a token expires mid-stream; the provider gives a new one and no event is lost', async () => {
  const b = env('WH_B');
  const topic = 'token.' + Date.now();
  const runs = TRANSPORTS.map((t) => {
    const seen = recorder();
    seen.tokens = 0;
    // The first token lives 2 s (the server closes the stream at its exp), the next ones 10 min.
    const provider = async () => token({ ttl: seen.tokens++ === 0 ? 2 : 600, subscribe: [topic], publish: [] });
    seen.client = connect({ url: b, topics: [topic], token: provider, ...t, ...seen.options });
    return seen;
  });
  try {
    await Promise.all(runs.map((seen) => seen.open()));
    const publisher = token({ subscribe: [], publish: [topic] });
    let last = 0;
    for (const end = Date.now() + 4000; Date.now() < end;) {
      last = await publish(b, topic, { at: Date.now() }, publisher);
      await new Promise((r) => setTimeout(r, 40));
    }
    for (const seen of runs) {
      await until('every event', () => seen.seqs(topic).length >= last);
      assert.deepEqual(seen.seqs(topic), Array.from({ length: last }, (_, i) => i + 1), 'each event once, in order');
      assert.ok(seen.tokens >= 2, 'a fresh token was asked for');
      assert.ok(seen.states.filter((s) => s.state === 'open').length >= 2, 'the stream was reopened');
      assert.deepEqual(seen.errors, []);
      assert.equal(seen.resets.length, 0);
    }
  } finally {
    runs.forEach((seen) => seen.client.close());
  }
});

test('a token the server refuses twice, even fresh, stops the client with the refusal', async () => {
  const seen = recorder();
  const client = connect({ url: env('WH_B'), topics: ['token.refused'], token: async () => 'not-a-jwt', ...seen.options });
  await until('closed', () => client.state === 'closed');
  assert.equal(seen.errors[0]?.code, 'unauthorized');
  assert.equal(seen.errors[0]?.status, 401);
});

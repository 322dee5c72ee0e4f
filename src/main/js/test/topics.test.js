import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../wirehub.js';
import { TRANSPORTS, env, publish, until, recorder } from './helpers.js';

// The two transports, and the WebSocket once more with Node's own global one (Node 22, or 20 with --experimental-websocket).
const VARIANTS = [...TRANSPORTS.map((t) => ({ ...t, name: t.transport })), { transport: 'ws', name: 'ws, global WebSocket' }];

for (const variant of VARIANTS) {
  test(`subscribe and unsubscribe at run time (${variant.name})`, async () => {
    const mem = env('WH_MEM');
    const [a, b] = ['a', 'b'].map((t) => `topics.${Date.now()}.${variant.transport}.${t}`);
    const seen = recorder();
    const client = connect({ url: mem, topics: [a], transport: variant.transport, WebSocket: variant.WebSocket, ...seen.options });
    try {
      await seen.open();
      await publish(mem, a, { n: 1 });
      await until('a1', () => seen.seqs(a).length === 1);
      const inFlight = publish(mem, a, { n: 2 }); // while the stream changes (SSE: reconnects with its cursor)
      await client.subscribe(b);
      await inFlight;
      await publish(mem, b, { n: 1 });
      await publish(mem, a, { n: 3 });
      await until('b1 and a3', () => seen.seqs(a).length === 3 && seen.seqs(b).length === 1);

      client.unsubscribe(a);
      await publish(mem, a, { n: 4 });
      await publish(mem, b, { n: 2 }); // the marker: a4 would have come before it
      await until('b2', () => seen.seqs(b).length === 2);
      assert.deepEqual(seen.seqs(a), [1, 2, 3], 'a, once each, until unsubscribed');
      assert.deepEqual(seen.seqs(b), [1, 2]);
      assert.deepEqual(client.topics, [b]);
      assert.match(client.lastEventId, new RegExp(`^[0-9a-z]+~${b.replace(/\./g, '\\.')}:2$`));
      assert.deepEqual(seen.errors, []);
    } finally {
      client.close();
    }
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../wirehub.js';
import { TRANSPORTS, env, publish, control, token, until, recorder, range } from './helpers.js';

test('two instances on PostgreSQL + Redis, one drained: each transport moves to the other, no gap, no duplicate', async () => {
  const front = env('WH_AB_FRONT'); // prefers A while it listens
  const b = env('WH_B');
  const topic = 'drain.' + Date.now();
  const runs = TRANSPORTS.map((t) => {
    const seen = recorder();
    seen.client = connect({ url: front, topics: [topic], token: async () => token(), ...t, ...seen.options });
    return seen;
  });
  const bearer = token();
  try {
    await Promise.all(runs.map((seen) => seen.open()));
    let last = 0;
    for (const n of range(1, 10)) last = await publish(b, topic, { n }, bearer); // reach A's streams over Redis
    await control('a/drain');
    for (const end = Date.now() + 3000; Date.now() < end;) {
      last = await publish(b, topic, { n: last + 1 }, bearer);
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const seen of runs) {
      await until('every event', () => seen.seqs(topic).length >= last);
      assert.deepEqual(seen.seqs(topic), range(1, last), 'each event once, in order, across the move');
      const opened = seen.states.filter((s) => s.state === 'open').length;
      assert.ok(opened >= 2, 'the stream was reopened (on B): ' + JSON.stringify(seen.states.map((s) => s.state)));
      assert.equal(seen.resets.length, 0, 'the cursor resumed on the other instance: no reset');
      assert.deepEqual(seen.errors, []);
    }
  } finally {
    runs.forEach((seen) => seen.client.close());
    await control('a/start');
  }
});

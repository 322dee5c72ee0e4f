import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../wirehub.js';
import { TRANSPORTS, env, publish, control, until, recorder, range } from './helpers.js';

test('the server is killed and restarted mid-stream: each transport is told to re-hydrate (new epoch), then goes on live', async () => {
  const mem = env('WH_MEM');
  const topic = 'restart.' + Date.now();
  const runs = TRANSPORTS.map((t) => {
    const seen = recorder();
    seen.client = connect({ url: mem, topics: [topic], ...t, ...seen.options });
    return seen;
  });
  const herd = range(1, 10).map(() => {
    const seen = recorder();
    seen.client = connect({ url: mem, topics: [topic], ...seen.options });
    return seen;
  });
  try {
    await Promise.all([...runs, ...herd].map((seen) => seen.open()));
    for (const n of range(1, 3)) await publish(mem, topic, { n });
    for (const seen of runs) await until('3 events', () => seen.seqs(topic).length === 3);
    const epochs = runs.map((seen) => seen.client.lastEventId.split('~')[0]);

    await control('mem/kill-and-restart'); // SIGKILL: no drain, no retry:, the sockets just break

    for (const seen of runs) await until('a reset', () => seen.resets.length === 1);
    const seq = await publish(mem, topic, { n: 'after' });
    for (const [i, seen] of runs.entries()) {
      await until('the event after the restart', () => seen.events.at(-1)?.data?.n === 'after');
      const [reset] = seen.resets;
      assert.equal(reset.topic, topic);
      assert.equal(reset.reason, 'unknown_cursor', 'the old cursor names the killed store');
      assert.equal(reset.seq, 0, 'the new store has nothing of the topic yet');
      assert.equal(reset.snapshot, `/v1/topics/${topic}/snapshot`);
      assert.deepEqual(seen.seqs(topic), [1, 2, 3, seq], 'everything before, then the new store from after the reset');
      assert.notEqual(seen.client.lastEventId.split('~')[0], epochs[i], 'the cursor now names the new store');
      const snapshot = await reset.fetchSnapshot();
      assert.equal(snapshot.seq, seq);
      assert.deepEqual(snapshot.events.map((e) => e.data), [{ n: 'after' }]);
      assert.deepEqual(seen.errors, []);
    }
    // A herd of streams broken at once comes back spread out, not in one burst.
    const delays = herd.map((seen) => seen.states.find((s) => s.state === 'waiting').delay);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 50, 'full jitter spreads the reconnects: ' + delays);
    assert.ok(new Set(delays).size === delays.length, 'no two the same: ' + delays);
    for (const seen of herd) await until('the herd back', () => seen.client.state === 'open');
  } finally {
    [...runs, ...herd].forEach((seen) => seen.client.close());
  }
});

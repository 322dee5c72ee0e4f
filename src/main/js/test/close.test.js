import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { env, publish, until } from './helpers.js';

test('close() leaves nothing running: a Node process that used both transports and published exits by itself', async () => {
  const mem = env('WH_MEM');
  const topic = 'close.' + Date.now();
  const child = spawn(process.execPath, [fileURLToPath(new URL('fixtures/close-exits.js', import.meta.url)), mem, topic]);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await until('both streams open', () => out.includes('open'));
    await publish(mem, topic, { n: 1 });
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15000))]);
    assert.equal(code, 0, 'the process ended by itself: ' + out);
    assert.match(out, /closed/);
  } finally {
    child.kill('SIGKILL');
  }
});

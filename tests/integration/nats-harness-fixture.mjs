// A process that starts a NATS server through nats-harness.mjs and then ends
// badly, for nats-harness.test.mjs. NATS_FIXTURE_OUT names a file that gets
// one JSON line per event. NATS_FIXTURE_MODE:
//   timeout  (node --test) a test that hangs past its timeout, then a test
//            that reports whether the first one's server still runs
//   cancel   (node --test) a test left pending when nothing else runs: node
//            cancels it and the process exits
//   hang     (node) starts a server and waits to be signalled
import { appendFileSync } from 'node:fs';
import { test } from 'node:test';

import { isServerOf, runningServerPids, startNats } from './nats-harness.mjs';

const out = process.env.NATS_FIXTURE_OUT;
const mode = process.env.NATS_FIXTURE_MODE;
const report = (event) => appendFileSync(out, `${JSON.stringify(event)}\n`);
// Never resolves; keeps the process alive for ms (forever when Infinity, not
// at all when 0).
const pending = (ms) => new Promise(() => {
  if (ms > 0) setTimeout(() => {}, Number.isFinite(ms) ? ms : 2 ** 31 - 1);
});

if (mode === 'timeout' || mode === 'cancel') {
  let dir;
  let pids = [];
  test('never ends', { timeout: 5000 }, async (t) => {
    const nats = await startNats({ t });
    dir = nats.dir;
    pids = runningServerPids(dir);
    report({ started: dir, pids });
    // Past the timeout (and the next test), then the process may exit.
    await pending(mode === 'timeout' ? 10_000 : 0);
  });
  test('runs next', () => {
    report({ next: true, running: pids.filter((pid) => isServerOf(pid, dir)) });
  });
} else {
  const nats = await startNats({ servers: 1 });
  report({ started: nats.dir, pids: runningServerPids(nats.dir) });
  await pending(Infinity);
}

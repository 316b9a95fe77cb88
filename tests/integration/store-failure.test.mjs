// A store write that fails (issue 12): memory and disk must not disagree.
//
// The failure is real, not simulated: another process holds the store's
// write lock (BEGIN IMMEDIATE on the server's own SQLite file, as a
// `sqlite3` shell, a backup tool or `blender-bus user add` beside a running
// server would), so the server's next commit fails with SQLITE_BUSY after its
// busy timeout (5 s). No test hook is compiled into the binary.
//
// A send answered with an error must reach nobody, then or later (also not
// after a restart); a registration whose commit failed is reported and
// undone; a job update whose close failed leaves the job open, so its retry
// still goes to the originator.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';

import { RawSession, makeDataDir, startServer } from './harness.mjs';

const AUTH_NONE = ['--auth', 'none'];

/** Takes the store's write lock from this process; returns release(). */
function holdWriteLock(dataDir) {
  const db = new DatabaseSync(path.join(dataDir, 'blender-bus.db'), { timeout: 20_000 });
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}

/** Runs `call` while another process holds the store's write lock. */
async function whileStoreLocked(dataDir, call) {
  const release = holdWriteLock(dataDir);
  try {
    return await call();
  } finally {
    release();
  }
}

function assertStoreUnavailable(answer, what) {
  assert.equal(answer.isError, true, `${what}: ${JSON.stringify(answer)}`);
  assert.equal(answer.json.status, 'error', JSON.stringify(answer.json));
  assert.match(answer.json.error, /^store_unavailable: /, JSON.stringify(answer.json));
}

const session = (server, opts) => RawSession.open(server.mcpUrl, opts);

async function register(s, uuid, persistent) {
  return s.callToolJson('blender_register_client',
    { client_uuid: uuid, client_type: persistent ? 'blender' : 'llm', is_persistent: persistent });
}

const payloadOf = (e) => e.json?.params?.data?.payload;

describe('a failed store write leaves memory and disk agreeing', () => {
  test('a send answered with an error reaches nobody, not later and not after a restart', async () => {
    const dataDir = await makeDataDir();
    try {
      const run = randomUUID().slice(0, 8);
      const p = `worker-${run}`;
      const e = `llm-${run}`;
      let server = await startServer({ args: AUTH_NONE, dataDir });
      const worker = await session(server);
      await register(worker, p, true);
      const listener = await session(server);
      await register(listener, e, false);
      const workerStream = await worker.openStream();
      const listenerStream = await listener.openStream();
      const sender = await session(server);

      // A group of one persistent and one ephemeral target: neither may get it.
      const failed = await whileStoreLocked(dataDir, () =>
        sender.callTool('blender_send_message', { payload: { failed: true } }));
      assertStoreUnavailable(failed, 'the send under a locked store');

      // The store works again: a marker to each, and it is the first thing they get.
      for (const uuid of [p, e]) {
        const sent = await sender.callToolJson('blender_send_message', { target_uuid: uuid, payload: { marker: uuid } });
        assert.deepEqual(sent.targets, [uuid]);
      }
      const [first] = await workerStream.waitFor(1);
      assert.deepEqual(payloadOf(first), { marker: p });
      const [firstE] = await listenerStream.waitFor(1);
      assert.deepEqual(payloadOf(firstE), { marker: e });
      const list = await sender.callToolJson('blender_list_available_clients');
      assert.equal(list.persistent.find((c) => c.uuid === p).dropped_records, 0);
      workerStream.close();
      listenerStream.close();
      await server.kill();

      server = await startServer({ args: AUTH_NONE, dataDir });
      try {
        const back = await session(server);
        await register(back, p, true);
        const stream = await back.openStream({ lastEventId: '0' });
        assert.equal(stream.status, 200, stream.text);
        const probe = await session(server);
        await probe.callToolJson('blender_send_message', { target_uuid: p, payload: { after: 'restart' } });
        const events = await stream.waitFor(2);
        assert.deepEqual(events.map(payloadOf), [{ marker: p }, { after: 'restart' }],
          'the store kept the marker and not the failed send');
        stream.close();
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a registration whose commit failed is reported and undone, in memory and on disk', async () => {
    const dataDir = await makeDataDir();
    try {
      const q = `worker-${randomUUID().slice(0, 8)}`;
      let server = await startServer({ args: AUTH_NONE, dataDir });
      const worker = await session(server);
      const failed = await whileStoreLocked(dataDir, () =>
        worker.callTool('blender_register_client', { client_uuid: q, client_type: 'blender', is_persistent: true }));
      assertStoreUnavailable(failed, 'the registration under a locked store');

      const sender = await session(server);
      const list = await sender.callToolJson('blender_list_available_clients');
      assert.ok(![...list.persistent, ...list.ephemeral].some((c) => c.uuid === q), JSON.stringify(list));
      const sent = await sender.callToolJson('blender_send_message', { target_uuid: q, payload: { n: 1 } });
      assert.deepEqual(sent.targets, [], 'nobody is there to take it');

      // Registered again, with a working store: what it is sent survives a crash.
      await register(worker, q, true);
      const kept = await sender.callToolJson('blender_send_message', { target_uuid: q, payload: { n: 2 } });
      assert.deepEqual(kept.targets, [q]);
      await server.kill();

      server = await startServer({ args: AUTH_NONE, dataDir });
      try {
        const s = await session(server);
        const restored = (await s.callToolJson('blender_list_available_clients')).persistent.find((c) => c.uuid === q);
        assert.ok(restored, 'the second registration was kept');
        await register(s, q, true);
        const stream = await s.openStream();
        const [rec] = await stream.waitFor(1);
        assert.deepEqual(payloadOf(rec), { n: 2 });
        stream.close();
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a job update whose close failed leaves the job open: the retry still goes to its originator', async () => {
    const dataDir = await makeDataDir();
    const server = await startServer({ args: AUTH_NONE, dataDir });
    try {
      const run = randomUUID().slice(0, 8);
      const l = `llm-${run}`;
      const b = `worker-${run}`;
      const jobId = `job-${run}`;
      const llm = await session(server);
      await register(llm, l, false);
      const worker = await session(server);
      await register(worker, b, true);
      const llmStream = await llm.openStream();
      await llm.callToolJson('blender_send_message',
        { target_uuid: b, from_uuid: l, payload: { message_type: 'job_dispatch', job_id: jobId } });

      const failed = await whileStoreLocked(dataDir, () =>
        worker.callTool('blender_job_update', { job_id: jobId, status: 'completed', result: 'first try' }));
      assertStoreUnavailable(failed, 'the job update under a locked store');
      const status = await llm.callToolJson('blender_job_status', { job_id: jobId });
      assert.equal(status.open, true, JSON.stringify(status));

      const retry = await worker.callToolJson('blender_job_update', { job_id: jobId, status: 'completed', result: 'second try' });
      assert.deepEqual(retry, { status: 'ok', delivered: 'direct', targets: [l] });
      const [rec] = await llmStream.waitFor(1);
      assert.equal(payloadOf(rec).result, 'second try', 'the failed update reached nobody');
      llmStream.close();
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

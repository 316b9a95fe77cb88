// Delivery that loses nothing (SPEC §9, issue 5): inboxes with replay,
// durability across a crash, liveness, slow consumers and the pull path,
// against the real server binary.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { RawSession, makeDataDir, serverBin, startServer } from './harness.mjs';

const AUTH_NONE = ['--auth', 'none'];
const payloadN = (e) => e.json?.params?.data?.payload?.n;

/** Sends `count` records to `target` from `sender`, `parallel` calls at a time; returns the n's. */
async function sendMany(sender, target, count, { parallel = 8, extra = {} } = {}) {
  let next = 1;
  const worker = async () => {
    while (next <= count) {
      const n = next++;
      const r = await sender.callToolJson('blender_send_message', { target_uuid: target, payload: { n, ...extra } });
      assert.deepEqual(r.targets, [target], JSON.stringify(r));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Asserts SSE ids strictly increase and the payload n's are exactly 1..count. */
function assertCompleteInOrder(events, count) {
  const ids = events.map((e) => Number(e.id));
  for (let i = 1; i < ids.length; ++i) assert.ok(ids[i] > ids[i - 1], `ids not increasing at ${i}: ${ids[i - 1]} then ${ids[i]}`);
  const ns = events.map(payloadN);
  assert.equal(new Set(ns).size, ns.length, 'no record arrives twice');
  assert.equal(ns.length, count, `got ${ns.length} of ${count}`);
  assert.deepEqual([...ns].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i + 1));
}

/** Registers `uuid` as a persistent client on `server`, then ends its session: offline. */
async function registerOfflinePersistent(server, uuid) {
  const worker = new RawSession(server.mcpUrl);
  await worker.initialize();
  await worker.callToolJson('blender_register_client', { client_uuid: uuid, client_type: 'blender', is_persistent: true });
  assert.equal((await worker.delete()).status, 200);
}

async function listClients(session) {
  return session.callToolJson('blender_list_available_clients');
}

describe('durability across a crash (kill -9)', () => {
  test('a record sent to an offline persistent client survives kill -9 and arrives exactly once after re-registration', async () => {
    const dataDir = await makeDataDir();
    try {
      const p = `worker-${randomUUID()}`;
      let server = await startServer({ args: AUTH_NONE, dataDir });
      await registerOfflinePersistent(server, p);
      const llm = new RawSession(server.mcpUrl);
      await llm.initialize();
      const sent = await llm.callToolJson('blender_send_message', { target_uuid: p, payload: { n: 1, job: 'render' } });
      assert.deepEqual(sent.targets, [p]);
      // The answer came back: the record is committed. Crash now.
      await server.kill();

      server = await startServer({ args: AUTH_NONE, dataDir });
      try {
        const llm2 = new RawSession(server.mcpUrl);
        await llm2.initialize();
        const before = await listClients(llm2);
        const restored = before.persistent.find((c) => c.uuid === p);
        assert.ok(restored, `persistent client restored: ${JSON.stringify(before)}`);
        assert.equal(restored.online, false);
        assert.equal(restored.pending_records, 1);

        const back = new RawSession(server.mcpUrl);
        await back.initialize();
        await back.callToolJson('blender_register_client', { client_uuid: p, client_type: 'blender', is_persistent: true });
        const stream = await back.openStream();
        assert.equal(stream.status, 200, stream.text);
        const [first] = await stream.waitFor(1);
        assert.equal(payloadN(first), 1);
        assert.equal(first.json.params.data.message_id, sent.message_id);
        // A marker after it shows nothing was sent twice.
        await llm2.callToolJson('blender_send_message', { target_uuid: p, payload: { n: 2 } });
        const all = await stream.waitFor(2);
        assert.deepEqual(all.map(payloadN), [1, 2]);
        assert.ok(Number(all[1].id) > Number(all[0].id), 'ids keep increasing across the restart');
        stream.close();
        await back.delete();
        await llm2.delete();
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('every answered send of a concurrent burst (group commit under load) survives kill -9', async () => {
    const dataDir = await makeDataDir();
    try {
      const p = `worker-${randomUUID()}`;
      let server = await startServer({ args: AUTH_NONE, dataDir });
      await registerOfflinePersistent(server, p);
      // 32 senders at a time: commits take many sends each, and some wait for
      // the commit delay. Every answer means committed.
      const senders = await Promise.all(Array.from({ length: 32 }, async () => {
        const s = new RawSession(server.mcpUrl);
        await s.initialize();
        return s;
      }));
      const count = 1000;
      let next = 1;
      await Promise.all(senders.map(async (sender) => {
        while (next <= count) {
          const n = next++;
          const r = await sender.callToolJson('blender_send_message', { target_uuid: p, payload: { n } });
          assert.deepEqual(r.targets, [p], JSON.stringify(r));
        }
      }));
      await server.kill();

      server = await startServer({ args: AUTH_NONE, dataDir });
      try {
        const back = new RawSession(server.mcpUrl);
        await back.initialize();
        await back.callToolJson('blender_register_client', { client_uuid: p, client_type: 'blender', is_persistent: true });
        const stream = await back.openStream();
        assert.equal(stream.status, 200, stream.text);
        assertCompleteInOrder(await stream.waitFor(count), count);
        stream.close();
        await back.delete();
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a job opened before a restart routes its update directly to its originator after it', async () => {
    const dataDir = await makeDataDir();
    try {
      const l = `llm-${randomUUID()}`;
      const b = `worker-${randomUUID()}`;
      const jobId = `job-${randomUUID()}`;
      let server = await startServer({ args: AUTH_NONE, dataDir });
      const llm = new RawSession(server.mcpUrl);
      await llm.initialize();
      await llm.callToolJson('blender_register_client', { client_uuid: l, client_type: 'llm' });
      const worker = new RawSession(server.mcpUrl);
      await worker.initialize();
      await worker.callToolJson('blender_register_client', { client_uuid: b, client_type: 'blender', is_persistent: true });
      const sent = await llm.callToolJson('blender_send_message', {
        target_uuid: b, from_uuid: l, payload: { message_type: 'job_dispatch', job_id: jobId, script: 'print(1)' },
      });
      assert.equal(sent.job_id, jobId);
      await server.kill();

      server = await startServer({ args: AUTH_NONE, dataDir });
      try {
        const llm2 = new RawSession(server.mcpUrl);
        await llm2.initialize();
        await llm2.callToolJson('blender_register_client', { client_uuid: l, client_type: 'llm' });
        const llmStream = await llm2.openStream();
        const worker2 = new RawSession(server.mcpUrl);
        await worker2.initialize();
        await worker2.callToolJson('blender_register_client', { client_uuid: b, client_type: 'blender', is_persistent: true });
        const status = await worker2.callToolJson('blender_job_status', { job_id: jobId });
        assert.equal(status.status, 'ok');
        assert.equal(status.originator, l);
        const upd = await worker2.callToolJson('blender_job_update', { job_id: jobId, status: 'completed', result: 'done' });
        assert.deepEqual(upd, { status: 'ok', delivered: 'direct', targets: [l] });
        const [rec] = await llmStream.waitFor(1);
        assert.equal(rec.json.params.level, 'notice');
        assert.deepEqual(rec.json.params.data.payload, { kind: 'job_update', job_id: jobId, status: 'completed', result: 'done', error: '', client_uuid: b });
        llmStream.close();
        await llm2.delete();
        await worker2.delete();
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('inboxes and replay', () => {
  let server;
  before(async () => { server = await startServer({ args: [...AUTH_NONE, '--write-timeout', '2'] }); });
  after(async () => { await server?.stop(); });

  test('a stream cut in the middle of a burst of 10,000 records: Last-Event-ID replays all of them, in order, once', async () => {
    const COUNT = 10_000;
    const x = `burst-${randomUUID()}`;
    const receiver = new RawSession(server.mcpUrl);
    await receiver.initialize();
    await receiver.callToolJson('blender_register_client', { client_uuid: x, client_type: 'llm' });
    const sender = new RawSession(server.mcpUrl);
    await sender.initialize();

    const s1 = await receiver.openStream();
    assert.equal(s1.status, 200, s1.text);
    const sending = sendMany(sender, x, COUNT, { parallel: 16 });
    await s1.waitFor(2_000, 60_000);
    s1.close();  // cut mid-burst
    const got1 = s1.events.slice();
    const resumeFrom = s1.lastId;
    await sending;
    assert.ok(got1.length < COUNT, `the cut happened mid-burst (${got1.length} before it)`);

    const s2 = await receiver.openStream({ lastEventId: resumeFrom });
    assert.equal(s2.status, 200, s2.text);
    const rest = await s2.waitFor(COUNT - got1.length, 60_000);
    // A marker after the replay shows nothing else follows.
    await sender.callToolJson('blender_send_message', { target_uuid: x, payload: { marker: true } });
    const withMarker = await s2.waitFor(COUNT - got1.length + 1, 10_000);
    assert.equal(withMarker.at(-1).json.params.data.payload.marker, true);
    assertCompleteInOrder([...got1, ...rest], COUNT);
    s2.close();
    await receiver.delete();
    await sender.delete();
  });

  test('Last-Event-ID beyond anything issued is refused with 400', async () => {
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    const res = await s.openStream({ lastEventId: '999999999' });
    assert.equal(res.status, 400, res.text);
    await s.delete();
  });

  test('a subscriber that stops reading is cut off while others are served, memory stays bounded, and it gets everything on reconnect', async () => {
    const COUNT = 3_000;
    const blob = 'x'.repeat(8 * 1024);
    const x = `slow-${randomUUID()}`;
    const slow = new RawSession(server.mcpUrl);
    await slow.initialize();
    await slow.callToolJson('blender_register_client', { client_uuid: x, client_type: 'blender', is_persistent: true });
    const sender = new RawSession(server.mcpUrl);
    await sender.initialize();
    const rssBefore = await server.vmRssKb();

    const s1 = await slow.openStream();
    assert.equal(s1.status, 200, s1.text);
    await sender.callToolJson('blender_send_message', { target_uuid: x, payload: { n: 1, blob } });
    await s1.waitFor(1);
    s1.pause();  // stops reading: the server's writes stall
    let next = 2;
    const worker = async () => {
      while (next <= COUNT) {
        const n = next++;
        await sender.callToolJson('blender_send_message', { target_uuid: x, payload: { n, blob } });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    // The server keeps answering others, and cuts the stalled stream (write
    // timeout 2 s): the client shows offline once its stream is gone.
    const other = new RawSession(server.mcpUrl);
    await other.initialize();
    const deadline = Date.now() + 30_000;
    let me;
    for (;;) {
      assert.deepEqual((await other.request('ping')).result, {});
      me = (await listClients(other)).persistent.find((c) => c.uuid === x);
      if (!me.online || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));  // polls an observable state, bounded by the deadline
    }
    assert.equal(me.online, false, 'the stalled stream was cut');
    const rssAfter = await server.vmRssKb();
    // 3,000 records of 8 KiB wait in the inbox (~24 MiB); nothing grows per
    // stalled write. A sanitizer build keeps freed memory in its quarantine
    // (256 MiB by default) and pads every allocation, hence its allowance.
    const sanitized = /asan|sanitize/i.test(serverBin()) || process.env.ASAN_OPTIONS !== undefined;
    const limitKb = (sanitized ? 1024 : 200) * 1024;
    assert.ok(rssAfter - rssBefore < limitKb, `RSS grew by ${rssAfter - rssBefore} KiB (limit ${limitKb})`);

    const got1 = s1.events.slice();
    s1.close();
    const s2 = await slow.openStream({ lastEventId: s1.lastId });
    assert.equal(s2.status, 200, s2.text);
    const rest = await s2.waitFor(COUNT - got1.length, 60_000);
    assertCompleteInOrder([...got1, ...rest], COUNT);
    s2.close();
    await slow.callToolJson('blender_unregister_client', { client_uuid: x });
    await slow.delete();
    await sender.delete();
    await other.delete();
  });
});

describe('liveness', () => {
  let server;
  before(async () => { server = await startServer({ args: AUTH_NONE }); });
  after(async () => { await server?.stop(); });

  test('an ephemeral client leaves with its session; a persistent one stays, online: false', async () => {
    const e = `eph-${randomUUID()}`;
    const p = `per-${randomUUID()}`;
    const a = new RawSession(server.mcpUrl);
    await a.initialize();
    await a.callToolJson('blender_register_client', { client_uuid: e, client_type: 'llm' });
    const b = new RawSession(server.mcpUrl);
    await b.initialize();
    await b.callToolJson('blender_register_client', { client_uuid: p, client_type: 'blender', is_persistent: true });
    const stream = await b.openStream();
    const watcher = new RawSession(server.mcpUrl);
    await watcher.initialize();

    let list = await listClients(watcher);
    assert.equal(list.ephemeral.find((c) => c.uuid === e)?.online, true, 'no stream yet: online while the session lives');
    assert.equal(list.persistent.find((c) => c.uuid === p)?.online, true, 'holds a stream');

    assert.equal((await a.delete()).status, 200);
    assert.equal((await b.delete()).status, 200);
    await stream.waitForEnd();
    list = await listClients(watcher);
    assert.equal(list.ephemeral.find((c) => c.uuid === e), undefined, 'the ephemeral client left');
    const gone = list.persistent.find((c) => c.uuid === p);
    assert.ok(gone, 'the persistent client stays');
    assert.equal(gone.online, false);
    assert.equal(gone.stale, false);
    assert.ok(gone.last_seen_seconds_ago >= 0);
    await watcher.delete();
  });

  test('last_seen follows the session\'s requests, ping included', async () => {
    const p = `ping-${randomUUID()}`;
    const a = new RawSession(server.mcpUrl);
    await a.initialize();
    const reg = await a.callToolJson('blender_register_client', { client_uuid: p, client_type: 'blender', is_persistent: true });
    const watcher = new RawSession(server.mcpUrl);
    await watcher.initialize();
    const first = (await listClients(watcher)).persistent.find((c) => c.uuid === p);
    await a.request('ping');
    const second = (await listClients(watcher)).persistent.find((c) => c.uuid === p);
    assert.ok(second.last_seen > reg.client.last_seen, `ping bumps last_seen: ${reg.client.last_seen} -> ${second.last_seen}`);
    assert.ok(second.last_seen >= first.last_seen);
    await a.callToolJson('blender_unregister_client', { client_uuid: p });
    await a.delete();
    await watcher.delete();
  });
});

describe('pull path', () => {
  let server;
  before(async () => { server = await startServer({ args: AUTH_NONE }); });
  after(async () => { await server?.stop(); });

  test('a long-poll returns as soon as a record arrives, and empty at its deadline', async () => {
    const r = `pull-${randomUUID()}`;
    const puller = new RawSession(server.mcpUrl);
    await puller.initialize();
    await puller.callToolJson('blender_register_client', { client_uuid: r, client_type: 'llm' });
    const sender = new RawSession(server.mcpUrl);
    await sender.initialize();

    // Empty at the deadline.
    let t0 = Date.now();
    const empty = await puller.callToolJson('blender_receive_messages', { client_uuid: r, wait_seconds: 1 });
    const waited = Date.now() - t0;
    assert.deepEqual(empty.messages, []);
    assert.equal(empty.status, 'ok');
    assert.ok(waited >= 900, `waited ${waited} ms, want about 1000`);

    // Returns as soon as a record arrives (well before its 40 s deadline).
    t0 = Date.now();
    const polling = puller.callToolJson('blender_receive_messages', { client_uuid: r, wait_seconds: 40 });
    const sent = await sender.callToolJson('blender_send_message', { target_uuid: r, payload: { n: 1 } });
    const got = await polling;
    assert.ok(Date.now() - t0 < 20_000, 'returned on arrival, not at the deadline');
    assert.equal(got.messages.length, 1);
    assert.equal(got.messages[0].message_id, sent.message_id);
    assert.deepEqual(got.messages[0].payload, { n: 1 });
    assert.equal(typeof got.next, 'number');

    // Without `after` the record is still pending; `after: next` acknowledges it.
    const again = await puller.callToolJson('blender_receive_messages', { client_uuid: r });
    assert.equal(again.messages.length, 1);
    const acked = await puller.callToolJson('blender_receive_messages', { client_uuid: r, after: got.next });
    assert.deepEqual(acked.messages, []);
    const none = await puller.callToolJson('blender_receive_messages', { client_uuid: r });
    assert.deepEqual(none.messages, []);

    const missing = await puller.callToolJson('blender_receive_messages', { client_uuid: `nobody-${randomUUID()}` });
    assert.equal(missing.status, 'error');
    assert.equal(missing.error, 'client_not_found');
    await puller.delete();
    await sender.delete();
  });

  test('job_status answers the last known update, waits for a change, and says job_not_found', async () => {
    const l = `llm-${randomUUID()}`;
    const jobId = `job-${randomUUID()}`;
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    await s.callToolJson('blender_register_client', { client_uuid: l, client_type: 'llm' });
    await s.callToolJson('blender_send_message', { from_uuid: l, payload: { message_type: 'job_dispatch', job_id: jobId } });
    const pending = await s.callToolJson('blender_job_status', { job_id: jobId });
    assert.equal(pending.job_status, 'pending');

    const w = new RawSession(server.mcpUrl);
    await w.initialize();
    const waiting = s.callToolJson('blender_job_status', { job_id: jobId, wait_seconds: 40 });
    await w.callToolJson('blender_job_update', { job_id: jobId, status: 'completed', result: 'ok' });
    const done = await waiting;
    assert.equal(done.status, 'ok');
    assert.equal(done.job_id, jobId);
    assert.equal(done.job_status, 'completed');
    assert.equal(done.result, 'ok');
    assert.equal(done.error, '');
    // Still answered after completion.
    assert.equal((await s.callToolJson('blender_job_status', { job_id: jobId })).job_status, 'completed');
    const nope = `nope-${randomUUID()}`;
    assert.deepEqual(await s.callToolJson('blender_job_status', { job_id: nope }),
      { status: 'error', error: 'job_not_found', job_id: nope });
    await s.delete();
    await w.delete();
  });
});

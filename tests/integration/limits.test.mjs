// Limits and quotas on the real binary (SPEC §9, issue 12): the inbox byte
// and age bounds, the open-job cap, a replay of records no longer kept, and
// the quotas that keep one user from filling the server (clients per bus,
// sessions per user, bytes across a user's inboxes, identifier sizes). Each
// server is started with a small bound so that a test can push past it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { RawSession, login, makeDataDir, rawRequest, startServer } from './harness.mjs';

const AUTH_NONE = ['--auth', 'none'];
const payloadOf = (e) => e.json?.params?.data?.payload;

const session = (server, opts) => RawSession.open(server.mcpUrl, opts);

/** Registers `uuid` as a persistent client, then ends its session: offline, its records wait. */
async function offlinePersistent(server, uuid) {
  const s = await session(server);
  await s.callToolJson('blender_register_client', { client_uuid: uuid, client_type: 'blender', is_persistent: true });
  assert.equal((await s.delete()).status, 200);
}

async function clientInfo(s, uuid) {
  const list = await s.callToolJson('blender_list_available_clients');
  return [...list.persistent, ...list.ephemeral].find((c) => c.uuid === uuid);
}

/** Re-registers persistent `uuid` on a fresh session and reads what its stream replays. */
async function comeBack(server, uuid, count) {
  const s = await session(server);
  await s.callToolJson('blender_register_client', { client_uuid: uuid, client_type: 'blender', is_persistent: true });
  const stream = await s.openStream();
  assert.equal(stream.status, 200, stream.text);
  await stream.waitFor(count);
  // A marker after what waited shows that nothing else follows.
  const probe = await session(server);
  await probe.callToolJson('blender_send_message', { target_uuid: uuid, payload: { marker: true } });
  const events = await stream.waitFor(count + 1);
  assert.deepEqual(payloadOf(events.at(-1)), { marker: true }, JSON.stringify(events.map(payloadOf)));
  stream.close();
  await s.delete();
  await probe.delete();
  return events.slice(0, -1).map(payloadOf);
}

describe('inbox bounds on the real binary', () => {
  test('past --inbox-max-bytes the oldest undelivered records are dropped and counted', async () => {
    const server = await startServer({ args: [...AUTH_NONE, '--inbox-max-bytes', '2048'] });
    try {
      const p = `bytes-${randomUUID()}`;
      await offlinePersistent(server, p);
      const s = await session(server);
      // Records of ~870 bytes each: two fit in 2,048, a third pushes the first out.
      const pad = 'x'.repeat(400);
      for (const n of [1, 2, 3]) {
        const sent = await s.callToolJson('blender_send_message', { target_uuid: p, payload: { n, pad } });
        assert.deepEqual(sent.targets, [p]);
      }
      const info = await clientInfo(s, p);
      assert.equal(info.pending_records, 2, JSON.stringify(info));
      assert.equal(info.dropped_records, 1, JSON.stringify(info));
      assert.deepEqual((await comeBack(server, p, 2)).map((x) => x.n), [2, 3]);
      await s.delete();
    } finally {
      await server.stop();
    }
  });

  test('a record older than a fractional --inbox-max-age is dropped and counted', async () => {
    // Ages are compared as fractions of a second: a `>` written as `>= max + 1`
    // would keep a record 2.0 s old under a 1.5 s bound.
    const server = await startServer({ args: [...AUTH_NONE, '--inbox-max-age', '1.5'] });
    try {
      const p = `age-${randomUUID()}`;
      await offlinePersistent(server, p);
      const s = await session(server);
      await s.callToolJson('blender_send_message', { target_uuid: p, payload: { n: 1 } });
      await sleep(2000);  // the bound under test is a duration: let it pass
      await s.callToolJson('blender_send_message', { target_uuid: p, payload: { n: 2 } });
      const info = await clientInfo(s, p);
      assert.equal(info.dropped_records, 1, JSON.stringify(info));
      assert.equal(info.pending_records, 1, JSON.stringify(info));
      assert.deepEqual((await comeBack(server, p, 1)).map((x) => x.n), [2]);
      await s.delete();
    } finally {
      await server.stop();
    }
  });

  test('a replay (Last-Event-ID) of records no longer kept is refused with 400; a GET without it gets what is left', async () => {
    const server = await startServer({ args: [...AUTH_NONE, '--inbox-max-records', '2'] });
    try {
      const x = `replay-${randomUUID()}`;
      const receiver = await session(server);
      await receiver.callToolJson('blender_register_client', { client_uuid: x, client_type: 'llm' });
      const sender = await session(server);
      const s1 = await receiver.openStream();
      await sender.callToolJson('blender_send_message', { target_uuid: x, payload: { n: 1 } });
      const [first] = await s1.waitFor(1);
      s1.close();
      // While it is away three more arrive; two are kept, so record 2 is evicted undelivered.
      for (const n of [2, 3, 4]) await sender.callToolJson('blender_send_message', { target_uuid: x, payload: { n } });

      const refused = await receiver.openStream({ lastEventId: first.id });
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.json.error.message, /cannot be resumed in this session .*no longer retained/);
      const info = await clientInfo(sender, x);
      assert.equal(info.dropped_records, 1, JSON.stringify(info));

      const s2 = await receiver.openStream();
      assert.equal(s2.status, 200, s2.text);
      const events = await s2.waitFor(2);
      assert.deepEqual(events.map((e) => payloadOf(e).n), [3, 4]);
      s2.close();
      await receiver.delete();
      await sender.delete();
    } finally {
      await server.stop();
    }
  });
});

describe('the open-job cap (--max-open-jobs)', () => {
  test('past it the oldest job is forgotten, in memory and in the store: its update broadcasts', async () => {
    const dataDir = await makeDataDir();
    try {
      const run = randomUUID().slice(0, 8);
      const l = `llm-${run}`;
      const jobs = [1, 2, 3, 4].map((i) => `job-${run}-${i}`);
      let server = await startServer({ args: [...AUTH_NONE, '--max-open-jobs', '3'], dataDir });
      const llm = await session(server);
      await llm.callToolJson('blender_register_client', { client_uuid: l, client_type: 'llm' });
      for (const jobId of jobs) {
        await llm.callToolJson('blender_send_message', { from_uuid: l, payload: { message_type: 'job_dispatch', job_id: jobId } });
      }
      const stats = JSON.parse((await llm.request('resources/read', { uri: 'blender://bus/stats' })).result.contents[0].text);
      assert.equal(stats.pending_jobs_for_user, 3);
      const worker = await session(server);
      assert.equal((await worker.callToolJson('blender_job_update', { job_id: jobs[0], status: 'running' })).delivered, 'broadcast');
      assert.deepEqual(await worker.callToolJson('blender_job_update', { job_id: jobs[1], status: 'running' }),
        { status: 'ok', delivered: 'direct', targets: [l] });
      await server.kill();

      server = await startServer({ args: [...AUTH_NONE, '--max-open-jobs', '3'], dataDir });
      try {
        const back = await session(server);
        await back.callToolJson('blender_register_client', { client_uuid: l, client_type: 'llm' });
        const w = await session(server);
        assert.equal((await w.callToolJson('blender_job_update', { job_id: jobs[0], status: 'running' })).delivered, 'broadcast',
          'the store forgot the job too');
        assert.deepEqual(await w.callToolJson('blender_job_update', { job_id: jobs[3], status: 'completed' }),
          { status: 'ok', delivered: 'direct', targets: [l] });
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('quotas (issue 12)', () => {
  test('--max-clients-per-bus: a new client past it is refused naming the limit; leaving makes room', async () => {
    const server = await startServer({ args: [...AUTH_NONE, '--max-clients-per-bus', '2'] });
    try {
      const run = randomUUID().slice(0, 8);
      const s = await session(server);
      for (const n of [1, 2]) await s.callToolJson('blender_register_client', { client_uuid: `c${n}-${run}`, client_type: 'llm' });
      const refused = await s.callTool('blender_register_client', { client_uuid: `c3-${run}`, client_type: 'llm' });
      assert.equal(refused.isError, true);
      assert.deepEqual(refused.json, { status: 'error',
        error: 'max-clients-per-bus: this bus has 2 clients, the most it may have; unregister one first' });
      assert.equal(await clientInfo(s, `c3-${run}`), undefined);
      // A known client re-registers at the cap.
      assert.equal((await s.callToolJson('blender_register_client', { client_uuid: `c1-${run}`, client_type: 'llm' })).status, 'ok');
      await s.callToolJson('blender_unregister_client', { client_uuid: `c1-${run}` });
      assert.equal((await s.callToolJson('blender_register_client', { client_uuid: `c3-${run}`, client_type: 'llm' })).status, 'ok');
      await s.delete();
    } finally {
      await server.stop();
    }
  });

  test('--max-sessions-per-user: an initialize past it is 429 for that user only', async () => {
    const users = [{ username: 'alice', password: 'alice-password-1' }, { username: 'bob', password: 'bob-password-1' }];
    const server = await startServer({ users, args: ['--max-sessions-per-user', '2'] });
    try {
      const alice = (await login(server, 'alice', 'alice-password-1')).access_token;
      const bob = (await login(server, 'bob', 'bob-password-1')).access_token;
      const first = await session(server, { token: alice });
      await session(server, { token: alice });
      const third = new RawSession(server.mcpUrl, { token: alice });
      const initialize = {
        jsonrpc: '2.0', id: 1, method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      };
      const refused = await third.post(initialize);
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.headers['mcp-session-id'], undefined);
      assert.equal(refused.json.error.code, -32000);
      assert.match(refused.json.error.message, /max-sessions-per-user \(2\)/);
      await session(server, { token: bob });  // bob is not counted against alice
      assert.equal((await first.delete()).status, 200);
      await session(server, { token: alice });  // an ended session made room
    } finally {
      await server.stop();
    }
  });

  test('--max-user-inbox-bytes: a send past it is refused and delivers nothing; delivered records make room', async () => {
    const server = await startServer({ args: [...AUTH_NONE, '--max-user-inbox-bytes', '4096'] });
    try {
      const run = randomUUID().slice(0, 8);
      const [p1, p2] = [`q1-${run}`, `q2-${run}`];
      await offlinePersistent(server, p1);
      await offlinePersistent(server, p2);
      const s = await session(server);
      const pad = 'x'.repeat(1000);
      let accepted = 0;
      let refused;
      for (;;) {
        const r = await s.callTool('blender_send_message', { target_uuid: p1, payload: { n: accepted + 1, pad } });
        if (r.isError) { refused = r.json; break; }
        assert.deepEqual(r.json.targets, [p1]);
        accepted += 1;
        assert.ok(accepted < 10, 'the quota refuses at some point');
      }
      assert.ok(accepted >= 2, `accepted ${accepted}`);
      assert.equal(refused.status, 'error');
      assert.match(refused.error, /^max-user-inbox-bytes \(4096\) reached: .* nothing was delivered$/);
      // The quota is the user's: another of its clients is refused too.
      assert.equal((await s.callTool('blender_send_message', { target_uuid: p2, payload: { pad } })).isError, true);
      const info = await clientInfo(s, p1);
      assert.equal(info.pending_records, accepted, 'the refused sends left nothing');
      assert.equal(info.dropped_records, 0, 'nothing undelivered was evicted');

      // p1 comes back and reads everything: its delivered records make room.
      assert.deepEqual((await comeBack(server, p1, accepted)).map((x) => x.n),
        Array.from({ length: accepted }, (_, i) => i + 1));
      const sent = await s.callToolJson('blender_send_message', { target_uuid: p2, payload: { pad } });
      assert.deepEqual(sent.targets, [p2]);
      await s.delete();
    } finally {
      await server.stop();
    }
  });

  test('identifiers over 256 bytes and more than 64 capabilities are refused naming the field', async () => {
    const server = await startServer({ args: AUTH_NONE });
    try {
      const s = await session(server);
      const long = 'é'.repeat(129);  // 129 characters, 258 bytes
      const cases = [
        ['blender_register_client', { client_uuid: long, client_type: 'llm' }, 'client_uuid exceeds 256 bytes'],
        ['blender_register_client', { client_uuid: 'c', client_type: long }, 'client_type exceeds 256 bytes'],
        ['blender_register_client', { client_uuid: 'c', client_type: 'llm', group_id: long }, 'group_id exceeds 256 bytes'],
        ['blender_register_client', { client_uuid: 'c', client_type: 'llm', capabilities: ['ok', long] },
          'capabilities[1] exceeds 256 bytes'],
        ['blender_register_client', { client_uuid: 'c', client_type: 'llm', capabilities: Array(65).fill('cap') },
          'capabilities exceeds 64 items'],
        ['blender_send_message', { payload: { job_id: long } }, 'payload.job_id exceeds 256 bytes'],
        ['blender_send_message', { payload: {}, target_uuid: long }, 'target_uuid exceeds 256 bytes'],
        ['blender_job_update', { job_id: long, status: 'running' }, 'job_id exceeds 256 bytes'],
      ];
      for (const [name, args, error] of cases) {
        const r = await s.callTool(name, args);
        assert.equal(r.isError, true, `${name} ${error}`);
        assert.deepEqual(r.json, { status: 'error', error });
      }
      const list = await s.callToolJson('blender_list_available_clients');
      assert.deepEqual([...list.persistent, ...list.ephemeral], [], 'nothing was registered');
      const atLimit = await s.callToolJson('blender_register_client',
        { client_uuid: 'u'.repeat(256), client_type: 't'.repeat(256), capabilities: Array(64).fill('c'.repeat(256)) });
      assert.equal(atLimit.status, 'ok');
      await s.delete();
    } finally {
      await server.stop();
    }
  });
});

describe('a refused initialize on the raw wire', () => {
  let server;
  before(async () => { server = await startServer({ args: [...AUTH_NONE, '--max-sessions-per-user', '1'] }); });
  after(async () => { await server?.stop(); });

  test('the 429 is JSON-RPC with a null id, and the session that exists keeps working', async () => {
    const s = await session(server);
    const res = await rawRequest(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    assert.equal(res.status, 429, res.text);
    assert.equal(res.json.jsonrpc, '2.0');
    assert.equal(res.json.id, null);
    assert.deepEqual((await s.request('ping')).result, {});
    await s.delete();
  });
});

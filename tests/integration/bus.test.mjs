// The message bus end to end (SPEC §4–8, §10; issue 3) with the official
// TypeScript client against one real server process (--auth none, so every
// session is the same local user and shares one bus).
//
// Three peers on separate sessions: an `llm` client and two `blender` clients,
// one of them in group `render-cluster`. For every routing mode, exactly the
// right sessions receive exactly the SPEC §7 record and the others receive
// nothing. "Nothing" is proven by events, not by waiting: after each step a
// marker record is sent directly to every peer, and since a session's records
// arrive in order, a peer that has its marker has everything sent before it.
//
// Every test gets fresh peers (new uuids, new sessions) and removes them
// after itself, pass or fail: a record one test leaves behind cannot show up
// in the next, so one bug is one failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import { collectMessages, connectClient, startServer, toolJson } from './harness.mjs';

const RECORD_KEYS = ['user_id', 'from_uuid', 'target_uuid', 'routing', 'payload', 'job_id',
  'message_id', 'priority', 'timestamp'];
const CLIENT_KEYS = ['uuid', 'client_type', 'is_persistent', 'capabilities', 'group_id',
  'connected_at', 'last_seen'];
// The newer add-on's label follows the original seven (issue 11).
const CLIENT_KEY_LABEL = ['label'];
// SPEC §9 (issue 5): liveness and inbox fields follow the original keys.
const CLIENT_KEYS_BEYOND = ['online', 'last_seen_seconds_ago', 'stale', 'pending_records', 'dropped_records'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server;
before(async () => { server = await startServer({ args: ['--auth', 'none'] }); });
after(async () => { await server?.stop(); });

/** Calls a tool; returns [json, result] (toolJson checks structuredContent wraps the text). */
async function call(peer, name, args = {}) {
  const result = await peer.client.callTool({ name, arguments: args });
  return [toolJson(result), result];
}

/** A connected, registered peer with an inbox of its _message_bus records. */
async function peer(registration) {
  const conn = await connectClient(server, { name: registration.client_uuid });
  const inbox = collectMessages(conn.client);
  await conn.streamOpened;
  const p = { ...conn, inbox, uuid: registration.client_uuid, persistent: registration.is_persistent === true, seen: 0 };
  const [reg] = await call(p, 'blender_register_client', registration);
  assert.equal(reg.status, 'ok', JSON.stringify(reg));
  return p;
}

let markers = 0;
const isMarker = (r) => r.data?.payload?.marker !== undefined;

/**
 * Waits until every peer has received everything sent so far, then returns,
 * per peer, the bus records (markers left out) that arrived since the last call.
 */
async function drain(sender, peers) {
  const n = ++markers;
  await Promise.all(peers.map((p) => p.client.ping()));
  for (const p of peers) {
    const [sent] = await call(sender, 'blender_send_message',
      { target_uuid: p.uuid, payload: { marker: n }, priority: 'emergency' });
    assert.deepEqual(sent.targets, [p.uuid]);
  }
  await Promise.all(peers.map((p) => p.inbox.waitFor(1,
    { logger: '_message_bus', filter: (r) => r.data?.payload?.marker === n })));
  return peers.map((p) => {
    const all = p.inbox.bus();
    const fresh = all.slice(p.seen).filter((r) => !isMarker(r));
    p.seen = all.length;
    return fresh;
  });
}

/** The exact SPEC §7 params of one record (timestamp checked separately). */
function expectRecord(rec, want) {
  assert.deepEqual(Object.keys(rec.data), RECORD_KEYS, 'data keys in SPEC order');
  assert.equal(typeof rec.data.timestamp, 'number');
  assert.ok(Math.abs(rec.data.timestamp - Date.now() / 1000) < 60, `timestamp ${rec.data.timestamp} is now`);
  assert.deepEqual(rec, {
    level: want.level,
    logger: '_message_bus',
    data: {
      user_id: want.user_id,
      from_uuid: want.from_uuid,
      target_uuid: want.target_uuid,
      routing: want.routing,
      payload: want.payload,
      job_id: want.job_id,
      message_id: want.message_id,
      priority: want.priority,
      timestamp: rec.data.timestamp,
    },
  });
}

/** Ends peers' sessions; persistent ones are unregistered first (they would stay on the bus). */
async function leave(peers) {
  for (const p of peers) {
    if (p.persistent) {
      try { await p.client.callTool({ name: 'blender_unregister_client', arguments: { client_uuid: p.uuid } }); } catch { /* the server may be gone */ }
    }
    await p.close();
  }
}

describe('the bus with one llm and two blender peers (issue 3)', () => {
  let run;
  let ids;
  let llm;
  let b1;
  let b2;
  let peers = [];
  let user;

  beforeEach(async () => {
    run = randomUUID().slice(0, 8);
    ids = { llm: `llm-${run}`, b1: `blender-1-${run}`, b2: `blender-2-${run}` };
    peers = [];
    llm = await peer({ client_uuid: ids.llm, client_type: 'llm' });
    peers.push(llm);
    b1 = await peer({ client_uuid: ids.b1, client_type: 'blender', is_persistent: true,
      capabilities: ['python_execution', 'rendering'], group_id: 'render-cluster' });
    peers.push(b1);
    b2 = await peer({ client_uuid: ids.b2, client_type: 'blender', is_persistent: true });
    peers.push(b2);
    const [list] = await call(llm, 'blender_list_available_clients');
    user = list.user_id;
    assert.equal(typeof user, 'string');
    // Nothing but this test's peers is on the bus: every routing mode sees exactly them.
    assert.deepEqual([...list.persistent, ...list.ephemeral].map((c) => c.uuid).sort(),
      Object.values(ids).sort(), 'an earlier test left clients behind');
  });
  afterEach(async () => { await leave(peers); });

  /** Sends, checks the result, drains, and checks who got exactly which record. */
  async function route(sender, args, { routing, receivers, from }) {
    const payload = { message_type: 'note', n: randomUUID() };
    const [sent] = await call(sender, 'blender_send_message', { payload, ...args });
    assert.equal(sent.status, 'ok', JSON.stringify(sent));
    assert.match(sent.message_id, UUID_V4);
    assert.equal(sent.job_id, sent.message_id);
    assert.deepEqual(sent.routing, routing);
    assert.deepEqual(sent.targets, receivers.map((p) => p.uuid));
    const got = await drain(llm, peers);
    peers.forEach((p, i) => {
      if (!receivers.includes(p)) {
        assert.deepEqual(got[i], [], `${p.uuid} must receive nothing`);
        return;
      }
      assert.equal(got[i].length, 1, `${p.uuid} receives exactly one record: ${JSON.stringify(got[i])}`);
      expectRecord(got[i][0], {
        level: 'info', user_id: user, from_uuid: from, target_uuid: p.uuid, routing, payload,
        job_id: sent.message_id, message_id: sent.message_id, priority: 6,
      });
    });
  }

  test('direct: only the target', async () => {
    await route(llm, { target_uuid: ids.b2, from_uuid: ids.llm },
      { routing: { type: 'direct', target_uuid: ids.b2 }, receivers: [b2], from: ids.llm });
  });

  test('target_uuid wins when group_id and client_type are set too', async () => {
    await route(llm, { target_uuid: ids.b2, group_id: 'render-cluster', client_type: 'llm', from_uuid: ids.llm },
      { routing: { type: 'direct', target_uuid: ids.b2 }, receivers: [b2], from: ids.llm });
  });

  test('group: only its members; group_id wins over client_type', async () => {
    await route(llm, { group_id: 'render-cluster', client_type: 'blender', from_uuid: ids.llm },
      { routing: { type: 'group', group_id: 'render-cluster' }, receivers: [b1], from: ids.llm });
  });

  test('group includes the sender', async () => {
    await route(b1, { group_id: 'render-cluster', from_uuid: ids.b1 },
      { routing: { type: 'group', group_id: 'render-cluster' }, receivers: [b1], from: ids.b1 });
  });

  test('type filter: every client of the type, the sender included', async () => {
    await route(b1, { client_type: 'blender', from_uuid: ids.b1 },
      { routing: { type: 'type_filter', client_type: 'blender' }, receivers: [b1, b2], from: ids.b1 });
  });

  test('broadcast: everyone but the sender', async () => {
    await route(llm, { from_uuid: ids.llm },
      { routing: { type: 'broadcast' }, receivers: [b1, b2], from: ids.llm });
  });

  test('broadcast without from_uuid comes from server:<user> and reaches everyone', async () => {
    // Persistent clients first, then ephemeral, each in registration order.
    await route(llm, {},
      { routing: { type: 'broadcast' }, receivers: [b1, b2, llm], from: `server:${user}` });
  });

  test('an unknown target is ok with targets [] and reaches nobody', async () => {
    const [sent] = await call(llm, 'blender_send_message',
      { payload: { x: 1 }, target_uuid: `nobody-${run}` });
    assert.equal(sent.status, 'ok');
    assert.deepEqual(sent.targets, []);
    assert.deepEqual(await drain(llm, peers), [[], [], []]);
  });

  test('a bad priority is the exact error and routes nothing', async () => {
    const [sent, result] = await call(llm, 'blender_send_message',
      { payload: { x: 1 }, target_uuid: ids.b1, priority: 'loud' });
    assert.deepEqual(sent, { status: 'error', error: "Unknown priority: 'loud'" });
    assert.ok(!result.isError);
    assert.deepEqual(await drain(llm, peers), [[], [], []]);
  });

  test('every priority spelling sets level and priority', async () => {
    for (const [spelling, level, n] of [['warning', 'warning', 4], ['CRITICAL', 'critical', 2],
      [' 7 ', 'debug', 7], [1, 'alert', 1]]) {
      const [sent] = await call(llm, 'blender_send_message',
        { payload: { p: spelling }, target_uuid: ids.b1, priority: spelling });
      assert.equal(sent.status, 'ok', JSON.stringify(sent));
      const [, got] = await drain(llm, peers);
      assert.equal(got.length, 1);
      assert.equal(got[0].level, level);
      assert.equal(got[0].data.priority, n);
    }
  });

  test('a job: dispatch, running, completed — both updates reach the llm directly', async () => {
    const jobId = `job-${randomUUID()}`;
    const pending = async () => JSON.parse(
      (await llm.client.readResource({ uri: 'blender://bus/stats' })).contents[0].text).pending_jobs_for_user;
    const pendingBefore = await pending();
    const payload = { message_type: 'job_dispatch', job_id: jobId, script: 'import bpy\nprint(bpy.app.version_string)' };
    const [sent] = await call(llm, 'blender_send_message', { payload, target_uuid: ids.b1, from_uuid: ids.llm });
    assert.equal(sent.job_id, jobId);
    assert.notEqual(sent.message_id, jobId);

    const [dispatch] = await b1.inbox.waitFor(1, { logger: '_message_bus', filter: (r) => r.data.job_id === jobId });
    expectRecord(dispatch, {
      level: 'info', user_id: user, from_uuid: ids.llm, target_uuid: ids.b1,
      routing: { type: 'direct', target_uuid: ids.b1 }, payload, job_id: jobId,
      message_id: sent.message_id, priority: 6,
    });
    assert.equal(await pending(), pendingBefore + 1, 'a send with from_uuid opens the job');

    const [running] = await call(b1, 'blender_job_update', { job_id: dispatch.data.payload.job_id, status: 'running' });
    assert.deepEqual(running, { status: 'ok', delivered: 'direct', targets: [ids.llm] });
    assert.equal(await pending(), pendingBefore + 1, 'running keeps the job');
    const [completed] = await call(b1, 'blender_job_update',
      { job_id: jobId, status: 'completed', result: '3.4.1' });
    assert.deepEqual(completed, { status: 'ok', delivered: 'direct', targets: [ids.llm] });
    assert.equal(await pending(), pendingBefore, 'completed forgets the job');

    const got = await drain(llm, peers);
    assert.deepEqual(got[1].map((r) => r.data.job_id), [jobId], 'blender-1 only had the dispatch');
    got[1].shift();
    assert.deepEqual(got[1], []);
    assert.deepEqual(got[2], []);
    assert.equal(got[0].length, 2, JSON.stringify(got[0]));
    got[0].forEach((rec, i) => {
      const status = ['running', 'completed'][i];
      expectRecord(rec, {
        level: 'notice', user_id: user, from_uuid: `server:${user}`, target_uuid: ids.llm,
        routing: { type: 'direct', target_uuid: ids.llm },
        payload: { kind: 'job_update', job_id: jobId, status, result: i ? '3.4.1' : '', error: '', client_uuid: ids.b1 },
        job_id: jobId, message_id: rec.data.message_id, priority: 5,
      });
      assert.match(rec.data.message_id, UUID_V4);
    });
    assert.notEqual(got[0][0].data.message_id, got[0][1].data.message_id);

    // Completed forgot the job: a late update is broadcast to the whole bus.
    const [late] = await call(b1, 'blender_job_update', { job_id: jobId, status: 'running' });
    assert.equal(late.delivered, 'broadcast');
    assert.deepEqual(late.targets, [ids.b1, ids.b2, ids.llm]);
    const lateGot = await drain(llm, peers);
    for (const g of lateGot) {
      assert.equal(g.length, 1);
      assert.deepEqual(g[0].data.routing, { type: 'broadcast' });
      assert.equal(g[0].data.job_id, jobId);
    }
  });

  test('list: exact shapes, persistent and ephemeral buckets', async () => {
    const [list] = await call(b2, 'blender_list_available_clients');
    assert.deepEqual(Object.keys(list), ['status', 'user_id', 'persistent', 'ephemeral']);
    assert.equal(list.status, 'ok');
    const mine = (c) => Object.values(ids).includes(c.uuid);
    const persistent = list.persistent.filter(mine);
    const ephemeral = list.ephemeral.filter(mine);
    for (const c of [...persistent, ...ephemeral]) {
      assert.deepEqual(Object.keys(c), [...CLIENT_KEYS, ...CLIENT_KEY_LABEL, ...CLIENT_KEYS_BEYOND]);
      assert.equal(typeof c.connected_at, 'number');
      assert.ok(c.last_seen >= c.connected_at);
    }
    assert.deepEqual(persistent.map((c) => c.uuid), [ids.b1, ids.b2]);
    assert.deepEqual(ephemeral.map((c) => c.uuid), [ids.llm]);
    const { connected_at: _a, last_seen: _b, last_seen_seconds_ago: _e, ...b1Rest } = persistent[0];
    assert.deepEqual(b1Rest, { uuid: ids.b1, client_type: 'blender', is_persistent: true,
      capabilities: ['python_execution', 'rendering'], group_id: 'render-cluster', label: null,
      online: true, stale: false, pending_records: 0, dropped_records: 0 });
    const { connected_at: _c, last_seen: _d, last_seen_seconds_ago: _f, ...llmRest } = ephemeral[0];
    assert.deepEqual(llmRest, { uuid: ids.llm, client_type: 'llm', is_persistent: false,
      capabilities: [], group_id: null, label: null, online: true, stale: false, pending_records: 0,
      dropped_records: 0 });
    for (const c of [...persistent, ...ephemeral]) {
      assert.ok(c.last_seen_seconds_ago >= 0 && c.last_seen_seconds_ago < 60, String(c.last_seen_seconds_ago));
    }
  });

  test('re-registration updates in place and keeps connected_at and the bucket', async () => {
    const [before] = await call(b2, 'blender_list_available_clients');
    const old = before.persistent.find((c) => c.uuid === ids.b2);
    const [reg] = await call(b2, 'blender_register_client',
      { client_uuid: ids.b2, client_type: 'blender', is_persistent: false, capabilities: ['rendering'] });
    assert.equal(reg.client.is_persistent, true);
    assert.equal(reg.client.connected_at, old.connected_at);
    assert.ok(reg.client.last_seen >= old.last_seen);
    assert.deepEqual(reg.client.capabilities, ['rendering']);
    const [afterList] = await call(b2, 'blender_list_available_clients');
    assert.equal(afterList.persistent.filter((c) => c.uuid === ids.b2).length, 1);
    assert.equal(afterList.ephemeral.filter((c) => c.uuid === ids.b2).length, 0);
  });

  test('resources: clients and stats', async () => {
    const clients = JSON.parse((await llm.client.readResource({ uri: 'blender+blender://bus/clients' })).contents[0].text);
    assert.deepEqual(Object.keys(clients), ['user_id', 'persistent', 'ephemeral']);
    assert.equal(clients.user_id, user);
    const stats = JSON.parse((await llm.client.readResource({ uri: 'blender+blender://bus/stats' })).contents[0].text);
    assert.deepEqual(Object.keys(stats), ['user_id', 'persistent_count', 'ephemeral_count', 'pending_jobs_for_user',
      'dropped_records', 'pending_records']);
    assert.equal(stats.persistent_count, clients.persistent.length);
    assert.equal(stats.ephemeral_count, clients.ephemeral.length);
    assert.equal(typeof stats.pending_jobs_for_user, 'number');
  });

  test('prompt blender_dispatch_script', async () => {
    const got = await llm.client.getPrompt({ name: 'blender_dispatch_script',
      arguments: { target: `uuid:${ids.b1}`, script: 'import bpy\nprint("hi")' } });
    const text = got.messages[0].content.text;
    assert.equal(got.messages[0].role, 'user');
    assert.ok(text.includes('blender_send_message'), text);
    assert.ok(text.includes(JSON.stringify('import bpy\nprint("hi")')), text);
    assert.ok(text.includes(`"target_uuid":${JSON.stringify(ids.b1)}`), text);
  });

  test('a schema violation is an isError result naming the field', async () => {
    const missing = await llm.client.callTool({ name: 'blender_register_client', arguments: { client_type: 'llm' } });
    assert.equal(missing.isError, true);
    assert.match(missing.content[0].text, /client_uuid/);
    const wrong = await llm.client.callTool({ name: 'blender_send_message', arguments: { payload: 'text' } });
    assert.equal(wrong.isError, true);
    assert.match(wrong.content[0].text, /payload/);
    const long = await llm.client.callTool({ name: 'blender_register_client',
      arguments: { client_uuid: 'x'.repeat(257), client_type: 'llm' } });
    assert.equal(long.isError, true);
    assert.match(long.content[0].text, /client_uuid/);
  });

  test('unregister: ok, then not_found; the client is gone from the list', async () => {
    const extra = `extra-${run}`;
    await call(llm, 'blender_register_client', { client_uuid: extra, client_type: 'llm' });
    assert.deepEqual((await call(llm, 'blender_unregister_client', { client_uuid: extra }))[0],
      { status: 'ok', client_uuid: extra });
    assert.deepEqual((await call(llm, 'blender_unregister_client', { client_uuid: extra }))[0],
      { status: 'not_found', client_uuid: extra });
    const [list] = await call(llm, 'blender_list_available_clients');
    assert.ok(![...list.persistent, ...list.ephemeral].some((c) => c.uuid === extra));
  });
});

describe('logging/setLevel threshold', () => {
  test('a session at warning gets the warning send and not the info send', async () => {
    const run = randomUUID().slice(0, 8);
    const listener = await peer({ client_uuid: `quiet-${run}`, client_type: 'llm' });
    const sender = await peer({ client_uuid: `loud-${run}`, client_type: 'llm' });
    try {
      await listener.client.setLoggingLevel('warning');
      const send = async (priority, n) => {
        const [sent] = await call(sender, 'blender_send_message',
          { payload: { n }, target_uuid: listener.uuid, priority });
        assert.deepEqual(sent.targets, [listener.uuid]);
      };
      await send('info', 1);
      await send('warning', 2);
      await send('debug', 3);
      await send('error', 4);
      // Records of one session arrive in order: once 4 is here, 1 and 3 would have been too.
      await listener.inbox.waitFor(1, { logger: '_message_bus', filter: (r) => r.data.payload.n === 4 });
      assert.deepEqual(listener.inbox.bus().map((r) => r.data.payload.n), [2, 4]);
    } finally {
      await listener.close();
      await sender.close();
    }
  });
});

describe('ephemeral clients leave with their session', () => {
  test('closing an llm session drops its client; a persistent one stays', async () => {
    const run = randomUUID().slice(0, 8);
    const watcher = await peer({ client_uuid: `watcher-${run}`, client_type: 'llm' });
    const gone = await peer({ client_uuid: `gone-${run}`, client_type: 'llm' });
    const stays = await peer({ client_uuid: `stays-${run}`, client_type: 'blender', is_persistent: true });
    try {
      await gone.close();
      await stays.close();
      const [list] = await call(watcher, 'blender_list_available_clients');
      assert.ok(!list.ephemeral.some((c) => c.uuid === gone.uuid), JSON.stringify(list));
      assert.ok(list.persistent.some((c) => c.uuid === stays.uuid), JSON.stringify(list));
    } finally {
      await call(watcher, 'blender_unregister_client', { client_uuid: stays.uuid });
      await watcher.close();
    }
  });
});

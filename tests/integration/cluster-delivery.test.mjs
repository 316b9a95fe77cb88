// Records across the nodes of a cluster (issue 13 §2-3): three nats-server
// processes as one JetStream cluster (R3), two blender-bus nodes on it
// (cluster-harness.mjs), the official MCP SDK as the client. A send on one
// node reaches a client whose stream is on the other in every routing mode;
// job updates reach their originator across nodes; users stay apart; a
// client that moves nodes resumes with Last-Event-ID and gets exactly what it
// missed; records survive a node killed -9 in the middle of a burst, and one
// NATS server killed under load; a node started again with no data directory
// is a full member.
//
// A client registered on one node reaches the other's directory mirror
// about a round trip later (ARCHITECTURE.md): a test waits until the sending
// node lists a client before sending to it, as a sender would see it listed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { Client as Client2, StreamableHTTPClientTransport as HttpTransport2 } from '@modelcontextprotocol/client';

import { eventually, startCluster } from './cluster-harness.mjs';
import { RawSession, collectMessages, connectClient, login, toolJson } from './harness.mjs';
import { natsServerAvailable } from './nats-harness.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const BOB = { username: 'bob', password: 'bob-password-2' };

async function call(peer, name, args = {}) {
  return toolJson(await peer.client.callTool({ name, arguments: args }));
}

/** A connected SDK client on `node` (its GET stream open), registered as `registration`. */
async function peer(node, token, registration) {
  const conn = await connectClient(node, { token, name: registration.client_uuid });
  const inbox = collectMessages(conn.client);
  await conn.streamOpened;
  const p = { ...conn, node, inbox, uuid: registration.client_uuid };
  const reg = await call(p, 'blender_register_client', registration);
  assert.equal(reg.status, 'ok', JSON.stringify(reg));
  return p;
}

/** The clients `p`'s node lists on p's bus, by uuid. */
async function listed(p) {
  const list = await call(p, 'blender_list_available_clients');
  return new Map([...list.persistent, ...list.ephemeral].map((c) => [c.uuid, c]));
}

/** Waits until the node of `p` (a peer or an SDK connection) lists every uuid, online or not. */
async function waitListed(p, uuids, online = true) {
  await eventually(`the node to list ${uuids.join(',')} ${online ? 'online' : 'offline'}`, 20_000, async () => {
    const clients = await listed(p);
    return uuids.every((u) => clients.get(u)?.online === online) || [...clients.values()].map((c) => [c.uuid, c.online]);
  });
}

/**
 * `total` direct sends from `sender` to `target`, 8 in flight; calls
 * during() once when `at` have been answered. Returns the answered
 * message ids, once every send is answered and during()'s promise settled.
 */
async function burst(sender, target, total, at, during) {
  const answered = new Set();
  let next = 0;
  let started;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      const sent = await call(sender, 'blender_send_message', { payload: { n }, target_uuid: target });
      assert.equal(sent.status, 'ok', JSON.stringify(sent));
      answered.add(sent.message_id);
      if (answered.size === at && !started) started = during();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await started;
  assert.equal(answered.size, total);
  return answered;
}

/** A cluster (3 NATS servers, nodes a and b) with user Alice logged in on a. */
async function clusterWithAlice(t) {
  const c = await startCluster({ t });
  c.user('add', ALICE.username, { password: ALICE.password });
  const alice = await login(c.nodes.a, ALICE.username, ALICE.password);
  return { c, a: c.nodes.a, b: c.nodes.b, token: alice.access_token, run: randomUUID().slice(0, 8) };
}

/**
 * A raw session on `node` that registers `registration` and opens its GET
 * stream (after lastEventId, if given); asserts the stream opened.
 */
async function rawStreaming(node, token, registration, lastEventId) {
  const session = await RawSession.open(node.mcpUrl, { token });
  await session.callToolJson('blender_register_client', registration);
  const stream = await session.openStream(lastEventId === undefined ? {} : { lastEventId });
  assert.equal(stream.status, 200, stream.text);
  return { session, stream };
}

const busRecords = (p) => p.inbox.bus();
const payloadsOf = (p) => busRecords(p).map((r) => r.data.payload);

describe('cluster mode: records cross the nodes', { skip }, () => {
  test('every routing mode from A reaches streams on B; both nodes list every client online; users stay apart', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    c.user('add', BOB.username, { password: BOB.password });
    const { a, b } = c.nodes;
    const alice = await login(a, ALICE.username, ALICE.password);
    const bob = await login(b, BOB.username, BOB.password);
    const token = alice.access_token;
    const run = randomUUID().slice(0, 8);
    const llm = await peer(a, token, { client_uuid: `llm-${run}`, client_type: 'llm' });
    const b1 = await peer(b, token, { client_uuid: `b1-${run}`, client_type: 'blender',
      is_persistent: true, group_id: 'render' });
    const b2 = await peer(b, token, { client_uuid: `b2-${run}`, client_type: 'blender' });
    // Bob's client on B, with the same uuid as one of Alice's: another bus.
    const bobs = await peer(b, bob.access_token, { client_uuid: `b1-${run}`, client_type: 'blender',
      group_id: 'render' });
    t.after(async () => { for (const p of [llm, b1, b2, bobs]) await p.close(); });

    await waitListed(llm, [llm.uuid, b1.uuid, b2.uuid]);
    await waitListed(b1, [llm.uuid, b1.uuid, b2.uuid]);
    const onB = await listed(b1);
    assert.deepEqual([...onB.keys()].sort(), [llm.uuid, b1.uuid, b2.uuid].sort(), 'only Alice\'s clients');
    assert.equal(onB.get(b1.uuid).is_persistent, true);

    const sends = [
      [{ target_uuid: b2.uuid }, { type: 'direct', target_uuid: b2.uuid }, [b2]],
      [{ group_id: 'render' }, { type: 'group', group_id: 'render' }, [b1]],
      [{ client_type: 'blender' }, { type: 'type_filter', client_type: 'blender' }, [b1, b2]],
      [{}, { type: 'broadcast' }, [b1, b2]],
    ];
    for (const [i, [args, routing, receivers]] of sends.entries()) {
      const sent = await call(llm, 'blender_send_message', { payload: { n: i }, from_uuid: llm.uuid, ...args });
      assert.equal(sent.status, 'ok', JSON.stringify(sent));
      assert.deepEqual(sent.routing, routing);
      assert.deepEqual(sent.targets, receivers.map((p) => p.uuid));
    }
    // A last direct record to each shows everything before it has arrived.
    for (const p of [b1, b2]) {
      await call(llm, 'blender_send_message', { payload: { last: true }, target_uuid: p.uuid });
      await p.inbox.waitFor(1, { logger: '_message_bus', filter: (r) => r.data.payload.last, timeoutMs: 20_000 });
    }
    assert.deepEqual(payloadsOf(b1), [{ n: 1 }, { n: 2 }, { n: 3 }, { last: true }]);
    assert.deepEqual(payloadsOf(b2), [{ n: 0 }, { n: 2 }, { n: 3 }, { last: true }]);
    for (const r of busRecords(b2)) {
      assert.equal(r.data.user_id, ALICE.username);
      assert.equal(r.data.target_uuid, b2.uuid);
      assert.equal(r.data.priority, 6);
    }
    assert.deepEqual(busRecords(llm), [], 'broadcast leaves the sender out');
    assert.deepEqual(busRecords(bobs), [], 'Bob\'s client of the same uuid gets nothing of Alice\'s');

    // Bob's own send on B reaches only his client.
    const bobSender = await connectClient(b, { token: bob.access_token });
    t.after(() => bobSender.close());
    const sent = toolJson(await bobSender.client.callTool({ name: 'blender_send_message',
      arguments: { payload: { bob: true }, target_uuid: bobs.uuid } }));
    assert.deepEqual(sent.targets, [bobs.uuid]);
    await bobs.inbox.waitFor(1, { logger: '_message_bus', timeoutMs: 20_000 });
    assert.deepEqual(payloadsOf(bobs), [{ bob: true }]);
    assert.equal(busRecords(bobs)[0].data.user_id, BOB.username);

    // A client whose stream ends goes offline on the other node too.
    await b2.close();
    await eventually('A to list b2 gone', 20_000, async () => !(await listed(llm)).has(b2.uuid) || 'still listed');
    await b1.close();
    await waitListed(llm, [b1.uuid], false);
  });

  test('job updates sent on B reach their originator on A; both nodes know the job\'s state', async (t) => {
    const { a, b, token, run } = await clusterWithAlice(t);
    const llm = await peer(a, token, { client_uuid: `llm-${run}`, client_type: 'llm' });
    const worker = await peer(b, token, { client_uuid: `w-${run}`, client_type: 'blender',
      is_persistent: true });
    t.after(async () => { for (const p of [llm, worker]) await p.close(); });
    await waitListed(llm, [worker.uuid]);

    const sent = await call(llm, 'blender_send_message', { payload: { render: 1 }, from_uuid: llm.uuid,
      target_uuid: worker.uuid });
    assert.deepEqual(sent.targets, [worker.uuid]);
    await worker.inbox.waitFor(1, { logger: '_message_bus', timeoutMs: 20_000 });
    // B's mirror of the jobs bucket has the job about a round trip after A stored it.
    await eventually('B to know the job', 20_000, async () =>
      (await call(worker, 'blender_job_status', { job_id: sent.job_id })).status === 'ok' || 'unknown');
    for (const status of ['running', 'completed']) {
      const update = await call(worker, 'blender_job_update', { job_id: sent.job_id, status, result: status });
      assert.equal(update.delivered, 'direct', JSON.stringify(update));
      assert.deepEqual(update.targets, [llm.uuid]);
    }
    const got = await llm.inbox.waitFor(2, { logger: '_message_bus', timeoutMs: 20_000 });
    // SPEC §8: the server sends the update; the payload names the updater.
    assert.deepEqual(got.map((r) => [r.data.job_id, r.data.from_uuid, r.data.payload.status, r.data.payload.client_uuid]),
      [[sent.job_id, `server:${ALICE.username}`, 'running', worker.uuid],
        [sent.job_id, `server:${ALICE.username}`, 'completed', worker.uuid]]);
    for (const p of [llm, worker]) {
      await eventually('the job completed on both nodes', 20_000, async () => {
        const s = await call(p, 'blender_job_status', { job_id: sent.job_id });
        return (s.job_status === 'completed' && s.open === false && s.originator === llm.uuid) || s;
      });
    }
    // A finished job routes no more: a late update broadcasts.
    const late = await call(worker, 'blender_job_update', { job_id: sent.job_id, status: 'running' });
    assert.equal(late.delivered, 'broadcast');
  });

  test('a client moving from B to A resumes with Last-Event-ID and gets exactly what it missed', async (t) => {
    const { a, b, token, run } = await clusterWithAlice(t);
    const llm = await peer(a, token, { client_uuid: `llm-${run}`, client_type: 'llm' });
    t.after(() => llm.close());
    const mover = `mover-${run}`;
    const registration = { client_uuid: mover, client_type: 'blender', is_persistent: true };
    const { stream: streamB } = await rawStreaming(b, token, registration);
    await waitListed(llm, [mover]);
    const send = (n) => call(llm, 'blender_send_message', { payload: { n }, target_uuid: mover });
    for (let n = 0; n < 3; n++) await send(n);
    const seenOnB = await streamB.waitFor(3, 20_000);
    const lastId = streamB.lastId;
    streamB.close();
    // Records sent while the client is away wait in the stream.
    for (let n = 3; n < 8; n++) await send(n);

    const { session: onA, stream: streamA } = await rawStreaming(a, token, registration, lastId);
    t.after(() => streamA.close());
    const missed = await streamA.waitFor(5, 20_000);
    assert.deepEqual(seenOnB.map((e) => e.json.params.data.payload.n), [0, 1, 2]);
    assert.deepEqual(missed.map((e) => e.json.params.data.payload.n), [3, 4, 5, 6, 7]);
    const ids = [...seenOnB, ...missed].map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'event ids increase across the nodes');
    assert.equal(new Set(ids).size, ids.length);
    // Nothing more comes: a last record is the next event.
    await send('last');
    const [next] = (await streamA.waitFor(6, 20_000)).slice(5);
    assert.equal(next.json.params.data.payload.n, 'last');
    // An id no node issued is refused on A as well.
    const bogus = await onA.openStream({ lastEventId: String(Number(next.id) + 1_000_000) });
    assert.equal(bogus.status, 400, bogus.text);
  });

  test('a uuid taken over on A from a session streaming on B: that session is sent client_displaced, and records go to A', async (t) => {
    const { a, b, token, run } = await clusterWithAlice(t);
    const uuid = `twin-${run}`;
    const registration = { client_uuid: uuid, client_type: 'blender', is_persistent: true };
    const first = await peer(b, token, registration);
    t.after(() => first.close());
    const llm = await peer(a, token, { client_uuid: `llm-${run}`, client_type: 'llm' });
    t.after(() => llm.close());
    await waitListed(llm, [uuid]);
    const second = await peer(a, token, registration);
    t.after(() => second.close());

    const isDisplaced = (r) => r.data?.payload?.kind === 'client_displaced';
    const [notice] = await first.inbox.waitFor(1, { logger: '_message_bus', filter: isDisplaced, timeoutMs: 20_000 });
    assert.equal(notice.level, 'warning');
    assert.deepEqual(Object.keys(notice.data), ['user_id', 'from_uuid', 'target_uuid', 'routing',
      'payload', 'job_id', 'message_id', 'priority', 'timestamp']);
    assert.equal(notice.data.user_id, ALICE.username);
    assert.equal(notice.data.from_uuid, `server:${ALICE.username}`);
    assert.deepEqual(notice.data.routing, { type: 'direct', target_uuid: uuid });
    assert.deepEqual(notice.data.payload,
      { kind: 'client_displaced', client_uuid: uuid, reason: 'registered from another session' });

    // Records for the uuid now reach the session on A only.
    const sent = await call(llm, 'blender_send_message', { target_uuid: uuid, payload: { hello: 'new holder' } });
    assert.deepEqual(sent.targets, [uuid]);
    await second.inbox.waitFor(1, { logger: '_message_bus', filter: (r) => r.data?.payload?.hello, timeoutMs: 20_000 });
    assert.equal(busRecords(second).filter(isDisplaced).length, 0, 'the new holder is not told it was displaced');
    assert.equal(busRecords(first).filter((r) => r.data?.payload?.hello).length, 0);
  });

  test('a node killed -9 in a 2,000-send burst to its persistent client: the client resumes on the other node and gets every answered send once', async (t) => {
    const { a, b, token, run } = await clusterWithAlice(t);
    const sender = await connectClient(a, { token: token });
    t.after(() => sender.close());
    const target = `render-${run}`;
    const registration = { client_uuid: target, client_type: 'blender', is_persistent: true };
    const { stream: streamB } = await rawStreaming(b, token, registration);
    await waitListed(sender, [target]);

    const TOTAL = 2000;
    const answered = await burst(sender, target, TOTAL, 500, () => b.kill());
    const lastId = streamB.lastId;
    const seenOnB = streamB.events.slice();
    assert.ok(seenOnB.length < TOTAL, 'B died before delivering everything');

    const { stream: streamA } = await rawStreaming(a, token, registration, lastId);
    t.after(() => streamA.close());
    const rest = await streamA.waitFor(TOTAL - seenOnB.length, 60_000);
    const all = [...seenOnB, ...rest];
    const ids = all.map((e) => Number(e.id));
    assert.equal(new Set(ids).size, ids.length, 'no event id twice');
    const byMessage = new Map();
    for (const e of all) {
      const id = e.json.params.data.message_id;
      byMessage.set(id, (byMessage.get(id) ?? 0) + 1);
    }
    assert.deepEqual([...answered].filter((id) => byMessage.get(id) !== 1), [], 'every answered send once');
    assert.equal(all.length, TOTAL);
  });

  test('one NATS server of three killed under load: sends are answered and delivered', async (t) => {
    const { c, a, b, token, run } = await clusterWithAlice(t);
    const sender = await connectClient(a, { token: token });
    t.after(() => sender.close());
    const receiver = await peer(b, token, { client_uuid: `r-${run}`, client_type: 'blender',
      is_persistent: true });
    t.after(() => receiver.close());
    await waitListed(sender, [receiver.uuid]);
    const TOTAL = 600;
    const answered = await burst(sender, receiver.uuid, TOTAL, 200, () => c.nats.kill('n1'));
    const got = await receiver.inbox.waitFor(TOTAL, { logger: '_message_bus', timeoutMs: 60_000 });
    const ids = got.map((r) => r.data.message_id);
    assert.equal(new Set(ids).size, ids.length, 'no record twice');
    assert.deepEqual([...answered].filter((id) => !ids.includes(id)), [], 'every answered send delivered');
  });

  test('a node started again with its data directory gone delivers both ways and lists the other node\'s clients', async (t) => {
    const { c, b, token, run } = await clusterWithAlice(t);
    const onB = await peer(b, token, { client_uuid: `on-b-${run}`, client_type: 'blender',
      is_persistent: true });
    t.after(() => onB.close());
    await c.nodes.a.kill();
    const a = await c.startNode('a');  // a fresh, empty data directory
    const onA = await peer(a, token, { client_uuid: `on-a-${run}`, client_type: 'llm' });
    t.after(() => onA.close());
    await waitListed(onA, [onA.uuid, onB.uuid]);
    await waitListed(onB, [onA.uuid, onB.uuid]);
    await call(onA, 'blender_send_message', { payload: { to: 'b' }, target_uuid: onB.uuid });
    await call(onB, 'blender_send_message', { payload: { to: 'a' }, target_uuid: onA.uuid });
    await onB.inbox.waitFor(1, { logger: '_message_bus', timeoutMs: 20_000 });
    await onA.inbox.waitFor(1, { logger: '_message_bus', timeoutMs: 20_000 });
    assert.deepEqual(payloadsOf(onB), [{ to: 'b' }]);
    assert.deepEqual(payloadsOf(onA), [{ to: 'a' }]);
  });

  test('MCP 2026-07-28: a listen on B is told of records sent on A, and makes its client online on A', async (t) => {
    const { a, b, token, run } = await clusterWithAlice(t);
    const uuid = `modern-${run}`;
    const inbox = `blender://bus/inbox/${uuid}`;
    const transport = new HttpTransport2(new URL(b.mcpUrl),
      { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    const modern = new Client2({ name: 'cluster-modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(transport);
    t.after(() => modern.close());
    const registered = toolJson(await modern.callTool({ name: 'blender_register_client',
      arguments: { client_uuid: uuid, client_type: 'llm' } }));
    assert.equal(registered.status, 'ok');
    const updates = [];
    modern.setNotificationHandler('notifications/resources/updated', (n) => updates.push(n.params));
    const sub = await modern.listen({ resourceSubscriptions: [inbox] });
    const sender = await connectClient(a, { token: token });
    t.after(() => sender.close());
    await waitListed(sender, [uuid]);
    const sent = toolJson(await sender.client.callTool({ name: 'blender_send_message',
      arguments: { target_uuid: uuid, payload: { n: 1 } } }));
    assert.deepEqual(sent.targets, [uuid]);
    await eventually('the listen to be told', 20_000, async () => updates.length > 0 || updates);
    assert.equal(updates[0].uri, inbox);
    const read = JSON.parse((await modern.readResource({ uri: inbox })).contents[0].text);
    assert.deepEqual(read.messages.map((m) => m.payload.n), [1]);
    await sub.close();
    await waitListed(sender, [uuid], false);
  });
});

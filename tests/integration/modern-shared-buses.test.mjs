// Shared buses (issue 16) for MCP 2026-07-28 clients (issue 14's modern
// era): the official v2 client pinned to 2026-07-28 registers, listens on
// its inbox uri with ?bus_id=, and streams with blender_receive_messages on
// a shared bus, with the roles and answers of the 2025 era. Four users: the
// owner (olivia, a 2025 session: the two eras share the bus), a member (mia),
// a guest (gus) and an outsider (oscar), the last three modern.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { login, startServer, toolJson } from './harness.mjs';
import { INBOX, collect, modernClient, v2Json } from './modern-client.mjs';
import { makeTeam, userSession } from './user-session.mjs';

const PASSWORD = 'correct horse battery staple';
const USERS = ['olivia', 'mia', 'gus', 'oscar'].map((username) => ({ username, password: PASSWORD }));
// The SPEC §7 keys of a record's data, then the shared bus's id.
const SHARED_RECORD_KEYS = ['user_id', 'from_uuid', 'target_uuid', 'routing', 'payload', 'job_id',
  'message_id', 'priority', 'timestamp', 'bus_id'];
const DEBUG = { 'io.modelcontextprotocol/logLevel': 'debug' };

/** A modern user: call(tool, args) → JSON, read(uri) → JSON, and the v2 client. */
async function modernUser(server, username) {
  const { access_token: token } = await login(server, username, PASSWORD);
  const m = await modernClient(server, token);
  return {
    ...m,
    name: username,
    call: (name, args = {}) => v2Json(m.client, name, args),
    async read(uri) {
      return JSON.parse((await m.client.readResource({ uri })).contents[0].text);
    },
  };
}

const inboxOn = (uuid, busId) => `${INBOX}${uuid}?bus_id=${busId}`;

/** Starts a streaming receive (the records arrive as notifications/message); resolves to its JSON. */
function streamingReceive(user, args) {
  return user.client.callTool({ name: 'blender_receive_messages', arguments: args, _meta: DEBUG })
    .then(toolJson);
}

describe('shared buses for MCP 2026-07-28 clients', () => {
  let server;
  let olivia, mia, gus, oscar;
  let busId;

  before(async () => {
    server = await startServer({ users: USERS });
    olivia = await userSession(server, 'olivia', PASSWORD);
    [mia, gus, oscar] = await Promise.all(['mia', 'gus', 'oscar'].map((u) => modernUser(server, u)));
    busId = await makeTeam(olivia, mia, gus);
    const worker = await olivia.call('blender_register_client',
      { bus_id: busId, client_uuid: 'farm-worker', client_type: 'blender' });
    assert.equal(worker.status, 'ok', JSON.stringify(worker));
  });
  after(async () => {
    for (const s of [olivia, mia, gus, oscar]) await s?.close();
    await server?.stop();
  });

  test('a modern member registers on the shared bus, and a listen on its inbox uri with ?bus_id hears the owner\'s send', async () => {
    const registered = await mia.call('blender_register_client',
      { bus_id: busId, client_uuid: 'mia-modern', client_type: 'llm' });
    assert.equal(registered.status, 'ok', JSON.stringify(registered));
    assert.equal(registered.bus_id, busId);
    assert.equal(registered.client.uuid, 'mia-modern');
    // The same uuid on the member's personal bus is another client.
    await mia.call('blender_register_client', { client_uuid: 'mia-modern', client_type: 'llm' });

    const uri = inboxOn('mia-modern', busId);
    const updates = collect(mia.client, 'notifications/resources/updated');
    const sub = await mia.client.listen({ resourceSubscriptions: [uri, INBOX + 'mia-modern'] });
    try {
      assert.deepEqual(sub.honoredFilter.resourceSubscriptions, [uri, INBOX + 'mia-modern']);
      // Online on the shared bus while the listen is open.
      const listed = await olivia.call('blender_list_available_clients', { bus_id: busId });
      assert.equal(listed.ephemeral.find((c) => c.uuid === 'mia-modern').online, true);

      const sent = await olivia.call('blender_send_message',
        { bus_id: busId, target_uuid: 'mia-modern', payload: { tag: 'to-modern' } });
      assert.deepEqual(sent.targets, ['mia-modern'], JSON.stringify(sent));
      const [first] = await updates.waitFor(1);
      assert.equal(first.uri, uri);

      const inbox = await mia.read(uri);
      assert.equal(inbox.bus_id, busId);
      assert.deepEqual(inbox.messages.map((m) => m.payload.tag), ['to-modern']);
      assert.deepEqual(Object.keys(inbox.messages[0]), SHARED_RECORD_KEYS);
      assert.equal(inbox.messages[0].user_id, 'olivia');
      assert.equal(inbox.messages[0].bus_id, busId);
      const pulled = await mia.call('blender_receive_messages', { bus_id: busId, client_uuid: 'mia-modern', after: inbox.next });
      assert.deepEqual(pulled, { status: 'ok', messages: [], next: inbox.next, bus_id: busId });

      // The personal bus stays apart: its client of the same uuid got nothing,
      // and was never told of an update.
      const own = await mia.read(INBOX + 'mia-modern');
      assert.deepEqual(own.messages, []);
      assert.equal(own.bus_id, undefined);
      assert.ok(updates.got.every((u) => u.uri === uri), JSON.stringify(updates.got));
    } finally {
      await sub.close();
    }
  });

  test('a streaming receive on the shared bus delivers the member\'s send live to the guest, with bus_id', async () => {
    for (const args of [{ bus_id: busId }, {}]) {
      const r = await gus.call('blender_register_client', { ...args, client_uuid: 'gus-blender', client_type: 'blender' });
      assert.equal(r.status, 'ok', JSON.stringify(r));
    }
    const messages = collect(gus.client, 'notifications/message');
    const receiving = streamingReceive(gus, { bus_id: busId, client_uuid: 'gus-blender', wait_seconds: 10, limit: 1 });
    const sent = await mia.call('blender_send_message',
      { bus_id: busId, target_uuid: 'gus-blender', from_uuid: 'mia-modern', payload: { tag: 'live' } });
    assert.deepEqual(sent.targets, ['gus-blender'], JSON.stringify(sent));
    const [live] = await messages.waitFor(1);
    assert.equal(live.logger, '_message_bus');
    assert.deepEqual(Object.keys(live.data), SHARED_RECORD_KEYS);
    assert.equal(live.data.payload.tag, 'live');
    assert.equal(live.data.user_id, 'mia');
    assert.equal(live.data.bus_id, busId);
    const done = await receiving;
    assert.equal(done.status, 'ok', JSON.stringify(done));
    assert.deepEqual(done.messages, []);
    assert.equal(done.bus_id, busId);
    assert.ok(done.next > 0);

    // The guest's personal client of the same uuid heard nothing of it, and
    // a streaming receive there hears only the personal bus.
    const own = await gus.call('blender_receive_messages', { client_uuid: 'gus-blender' });
    assert.deepEqual(own.messages, []);
    assert.equal(own.bus_id, undefined);
    const ownStream = streamingReceive(gus, { client_uuid: 'gus-blender', wait_seconds: 10, limit: 1 });
    await mia.call('blender_send_message', { bus_id: busId, target_uuid: 'gus-blender', payload: { tag: 'shared-again' } });
    await gus.call('blender_send_message', { target_uuid: 'gus-blender', payload: { tag: 'personal' } });
    await messages.waitFor(2);
    assert.deepEqual(messages.got.map((m) => m.data.payload.tag), ['live', 'personal']);
    assert.equal(messages.got[1].data.bus_id, undefined);
    assert.equal((await ownStream).bus_id, undefined);
    const waiting = await gus.call('blender_receive_messages', { bus_id: busId, client_uuid: 'gus-blender', after: done.next });
    assert.deepEqual(waiting.messages.map((m) => m.payload.tag), ['shared-again']);
  });

  test('the guest\'s send is refused; the member\'s job reaches the owner\'s 2025 worker, and its status comes back', async () => {
    assert.deepEqual(await gus.call('blender_send_message', { bus_id: busId, target_uuid: 'farm-worker', payload: {} }),
      { status: 'error', error: 'forbidden: guest cannot send_message' });
    const sent = await mia.call('blender_send_message', { bus_id: busId, client_type: 'blender', payload: { tag: 'to-worker' } });
    assert.deepEqual([...sent.targets].sort(), ['farm-worker', 'gus-blender']);
    const [record] = await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'to-worker' });
    assert.equal(record.data.bus_id, busId);
    assert.equal(record.data.user_id, 'mia');

    const jobId = 'job-modern-shared-1';
    const job = await mia.call('blender_send_message', { bus_id: busId, target_uuid: 'farm-worker', from_uuid: 'mia-modern',
      payload: { message_type: 'job_dispatch', job_id: jobId, script: 'import bpy' } });
    assert.equal(job.job_id, jobId, JSON.stringify(job));
    await olivia.messages.waitFor(1, { filter: (r) => r.data.job_id === jobId });
    const reply = await olivia.call('blender_job_update', { bus_id: busId, job_id: jobId, status: 'completed', result: 'rendered' });
    assert.deepEqual(reply, { status: 'ok', delivered: 'direct', targets: ['mia-modern'], bus_id: busId });
    const status = await mia.call('blender_job_status', { bus_id: busId, job_id: jobId, wait_seconds: 5 });
    assert.equal(status.job_status, 'completed');
    assert.equal(status.result, 'rendered');
    assert.equal(status.bus_id, busId);
    // The job is the shared bus's: the member's personal bus has none of that id.
    assert.equal((await mia.call('blender_job_status', { job_id: jobId })).error, 'job_not_found');
    // The bus's views under 2026-07-28, with ?bus_id= on the uri.
    const stats = await mia.read(`blender://bus/stats?bus_id=${busId}`);
    assert.equal(stats.bus_id, busId);
    const clients = await gus.read(`blender+blender://bus/clients?bus_id=${busId}`);
    assert.equal(clients.bus_id, busId);
  });

  test('the outsider gets "bus not found" on register, listen, read and the streaming receive, as for a bus that does not exist', async () => {
    for (const bus of [busId, 'bus_never_created']) {
      assert.deepEqual(await oscar.call('blender_register_client', { bus_id: bus, client_uuid: 'oscar-x', client_type: 'llm' }),
        { status: 'error', error: 'bus not found' }, bus);
      const uri = inboxOn('gus-blender', bus);
      const refused = await oscar.client.listen({ resourceSubscriptions: [uri] }).then(() => null, (e) => e);
      assert.ok(refused, `a listen on ${uri} must be refused`);
      assert.equal(refused.code, -32602);
      assert.deepEqual(refused.data, { uri, error: 'bus not found' });
      assert.deepEqual(await oscar.read(uri), { status: 'error', error: 'bus not found' });
      assert.deepEqual(await streamingReceive(oscar, { bus_id: bus, client_uuid: 'gus-blender', wait_seconds: 1 }),
        { status: 'error', error: 'bus not found' });
    }
    // A member may not listen to another member's client either.
    const taken = await mia.client.listen({ resourceSubscriptions: [inboxOn('gus-blender', busId)] })
      .then(() => null, (e) => e);
    assert.equal(taken?.code, -32602);
    assert.equal(taken.data.error, 'client_uuid belongs to another member of this bus');
  });

  // The bound is the receives': they wait 45 s unless the removal ends them.
  test('removal takes effect at once: an open listen, streaming receive and long-poll stop receiving the bus', { timeout: 30_000 }, async () => {
    const studio = await olivia.call('blender_bus_create', { name: 'studio' });
    const studioId = studio.bus.bus_id;
    const invited = await olivia.call('blender_bus_invite', { bus_id: studioId, username: 'mia', role: 'member' });
    assert.equal((await mia.call('blender_bus_join', { code: invited.invitation.code })).status, 'ok');
    for (const uuid of ['mia-listen', 'mia-poll', 'mia-stream']) {
      const r = await mia.call('blender_register_client', { bus_id: studioId, client_uuid: uuid, client_type: 'llm' });
      assert.equal(r.status, 'ok', JSON.stringify(r));
    }
    await mia.call('blender_register_client', { client_uuid: 'mia-own', client_type: 'llm' });
    const uri = inboxOn('mia-listen', studioId);
    const updates = collect(mia.client, 'notifications/resources/updated');
    const messages = collect(mia.client, 'notifications/message');
    const sub = await mia.client.listen({ resourceSubscriptions: [uri, INBOX + 'mia-own'] });
    try {
      const receiving = streamingReceive(mia, { bus_id: studioId, client_uuid: 'mia-stream', wait_seconds: 45 });
      const polling = mia.call('blender_receive_messages', { bus_id: studioId, client_uuid: 'mia-poll', wait_seconds: 45 });
      await olivia.call('blender_send_message', { bus_id: studioId, target_uuid: 'mia-listen', payload: { tag: 'before' } });
      await updates.waitFor(1);
      await olivia.call('blender_send_message', { bus_id: studioId, target_uuid: 'mia-stream', payload: { tag: 'before' } });
      await messages.waitFor(1);

      const removed = await olivia.call('blender_bus_remove_member', { bus_id: studioId, username: 'mia' });
      assert.deepEqual(removed, { status: 'ok', bus_id: studioId, username: 'mia', removed_clients: ['mia-listen', 'mia-poll', 'mia-stream'] });
      // The streaming receive and the long-poll end at once (their wait was
      // 45 s), as the outsider the member now is.
      assert.deepEqual(await receiving, { status: 'error', error: 'bus not found' });
      assert.deepEqual(await polling, { status: 'error', error: 'bus not found' });

      // The owner takes both uuids over and sends to them: the removed
      // member's listen is not told, though its other subscription is.
      for (const uuid of ['mia-listen', 'mia-stream']) {
        const r = await olivia.call('blender_register_client', { bus_id: studioId, client_uuid: uuid, client_type: 'blender' });
        assert.equal(r.status, 'ok', JSON.stringify(r));
        const sent = await olivia.call('blender_send_message', { bus_id: studioId, target_uuid: uuid, payload: { tag: 'after' } });
        assert.deepEqual(sent.targets, [uuid]);
      }
      await olivia.messages.waitFor(2, { filter: (r) => r.data.payload?.tag === 'after' });
      await mia.call('blender_send_message', { target_uuid: 'mia-own', payload: { tag: 'barrier' } });
      await updates.waitFor(2);
      assert.deepEqual(updates.got.map((u) => u.uri), [uri, INBOX + 'mia-own']);
      assert.equal(messages.got.length, 1);
      assert.deepEqual(await mia.read(uri), { status: 'error', error: 'bus not found' });
    } finally {
      await sub.close();
    }
  });
});

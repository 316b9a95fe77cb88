// A registration that takes a uuid from another live session (issue 17: two
// Blenders that share an identity): the server logs it, and the displaced
// session hears a `client_displaced` record on its stream instead of going
// silently deaf. Official SDK clients against the real server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { collectMessages, connectClient, startServer, toolJson } from './harness.mjs';

let server;
before(async () => { server = await startServer({ args: ['--auth', 'none'] }); });
after(async () => { await server?.stop(); });

async function call(conn, name, args) {
  const result = await conn.client.callTool({ name, arguments: args });
  assert.ok(!result.isError, `${name}: ${JSON.stringify(result)}`);
  return toolJson(result);
}

/** A connected session with its stream open and its records collected. */
async function session(name) {
  const conn = await connectClient(server, { name });
  const inbox = collectMessages(conn.client);
  await conn.streamOpened;
  return { ...conn, inbox };
}

function registration(uuid) {
  return { client_uuid: uuid, client_type: 'blender', is_persistent: true,
    capabilities: ['python_execution'], group_id: 'render' };
}

const isDisplaced = (r) => r.data?.payload?.kind === 'client_displaced';

describe('a uuid taken over by another session', () => {
  test('the displaced session receives client_displaced; the server logs a warning', async () => {
    const uuid = `shared-${randomUUID()}`;
    const first = await session('first');
    const second = await session('second');
    try {
      assert.equal((await call(first, 'blender_register_client', registration(uuid))).status, 'ok');
      assert.equal((await call(second, 'blender_register_client', registration(uuid))).status, 'ok');

      const [notice] = await first.inbox.waitFor(1, { logger: '_message_bus', filter: isDisplaced });
      assert.equal(notice.level, 'warning');
      assert.deepEqual(Object.keys(notice.data), ['user_id', 'from_uuid', 'target_uuid', 'routing',
        'payload', 'job_id', 'message_id', 'priority', 'timestamp']);
      assert.equal(notice.data.user_id, 'local');
      assert.equal(notice.data.from_uuid, 'server:local');
      assert.equal(notice.data.target_uuid, uuid);
      assert.deepEqual(notice.data.routing, { type: 'direct', target_uuid: uuid });
      assert.deepEqual(notice.data.payload,
        { kind: 'client_displaced', client_uuid: uuid, reason: 'registered from another session' });
      assert.equal(notice.data.priority, 4);

      // Records for the uuid now reach the new session only.
      const sent = await call(second, 'blender_send_message',
        { target_uuid: uuid, payload: { hello: 'new owner' } });
      assert.deepEqual(sent.targets, [uuid]);
      await second.inbox.waitFor(1, { logger: '_message_bus', filter: (r) => r.data?.payload?.hello === 'new owner' });
      assert.equal(second.inbox.bus().filter(isDisplaced).length, 0, 'the new owner is not told it was displaced');
      assert.equal(first.inbox.bus().filter((r) => r.data?.payload?.hello).length, 0);

      assert.match(server.stderr(), new RegExp(
        `\\[warning\\] user local: client ${uuid} taken over by session \\S+ from session \\S+ \\(its stream is open\\)`));
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('on a shared bus the notice names the member and the bus, never the bus\'s internal key', async () => {
    const uuid = `shared-bus-${randomUUID()}`;
    const first = await session('member-1');
    const second = await session('member-2');
    try {
      const created = await call(first, 'blender_bus_create', { name: `takeover-${uuid}` });
      const busId = created.bus.bus_id;
      assert.equal((await call(first, 'blender_register_client', { ...registration(uuid), bus_id: busId })).status, 'ok');
      assert.equal((await call(second, 'blender_register_client', { ...registration(uuid), bus_id: busId })).status, 'ok');

      const [notice] = await first.inbox.waitFor(1, { logger: '_message_bus', filter: isDisplaced });
      assert.deepEqual(Object.keys(notice.data), ['user_id', 'from_uuid', 'target_uuid', 'routing',
        'payload', 'job_id', 'message_id', 'priority', 'timestamp', 'bus_id']);
      assert.equal(notice.data.user_id, 'local');
      assert.equal(notice.data.from_uuid, 'server:local');
      assert.equal(notice.data.bus_id, busId);
      assert.deepEqual(notice.data.payload,
        { kind: 'client_displaced', client_uuid: uuid, reason: 'registered from another session' });
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('registering again on the same session, or after the old session ended, displaces nobody', async () => {
    const uuid = `solo-${randomUUID()}`;
    const first = await session('solo-1');
    await call(first, 'blender_register_client', registration(uuid));
    await call(first, 'blender_register_client', registration(uuid));
    await first.close();  // DELETE: the persistent client stays, unbound
    const second = await session('solo-2');
    try {
      await call(second, 'blender_register_client', registration(uuid));
      // A marker sent after the registrations: once it is here, nothing else is coming.
      await call(second, 'blender_send_message', { target_uuid: uuid, payload: { marker: 1 } });
      await second.inbox.waitFor(1, { logger: '_message_bus', filter: (r) => r.data?.payload?.marker === 1 });
      assert.equal(first.inbox.bus().filter(isDisplaced).length, 0);
      assert.equal(second.inbox.bus().filter(isDisplaced).length, 0);
      assert.doesNotMatch(server.stderr(), new RegExp(`client ${uuid} taken over`));
    } finally {
      await second.close();
    }
  });
});

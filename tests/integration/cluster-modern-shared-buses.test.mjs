// Shared buses for MCP 2026-07-28 clients in cluster mode: the owner's 2025
// session on node A, a member's and an outsider's v2 clients (pinned to
// 2026-07-28) on node B. The member registers on the shared bus, listens on
// its inbox uri with ?bus_id and streams with blender_receive_messages on B;
// the owner's sends on A reach both; the owner's removal on A ends them on B.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { eventually, startCluster } from './cluster-harness.mjs';
import { login, toolJson } from './harness.mjs';
import { INBOX, collect, modernClient, v2Json } from './modern-client.mjs';
import { natsServerAvailable } from './nats-harness.mjs';
import { userSession } from './user-session.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const PASSWORD = 'correct horse battery staple';
const DEBUG = { 'io.modelcontextprotocol/logLevel': 'debug' };

async function modernOn(node, username) {
  const { access_token: token } = await login(node, username, PASSWORD);
  return modernClient(node, token);
}

test('a modern member on B listens and streams on a shared bus the owner on A sends to, until removed', { skip, timeout: 240_000 }, async (t) => {
  const c = await startCluster({ t });
  for (const name of ['olivia', 'mia', 'oscar']) c.user('add', name, { password: PASSWORD });
  const { a, b } = c.nodes;
  const olivia = await userSession(a, 'olivia', PASSWORD);
  const mia = await modernOn(b, 'mia');
  const oscar = await modernOn(b, 'oscar');
  t.after(async () => { for (const s of [olivia, mia, oscar]) await s.close(); });

  const created = await olivia.call('blender_bus_create', { name: 'farm' });
  const busId = created.bus.bus_id;
  const invited = await olivia.call('blender_bus_invite', { bus_id: busId, username: 'mia', role: 'member' });
  await eventually('mia to join on B', 10_000, async () =>
    (await v2Json(mia.client, 'blender_bus_join', { code: invited.invitation.code })).status === 'ok' || 'not yet');
  for (const uuid of ['mia-listen', 'mia-stream']) {
    const r = await v2Json(mia.client, 'blender_register_client', { bus_id: busId, client_uuid: uuid, client_type: 'llm' });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.equal(r.bus_id, busId);
  }
  await eventually('A to list the member\'s clients on B', 20_000, async () => {
    const listed = await olivia.call('blender_list_available_clients', { bus_id: busId });
    return listed.ephemeral?.length === 2 || listed;
  });

  // A listen on B hears a send on A.
  const uri = `${INBOX}mia-listen?bus_id=${busId}`;
  const updates = collect(mia.client, 'notifications/resources/updated');
  const sub = await mia.client.listen({ resourceSubscriptions: [uri] });
  t.after(() => sub.close());
  const sent = await olivia.call('blender_send_message', { bus_id: busId, target_uuid: 'mia-listen', payload: { tag: 'from-a' } });
  assert.deepEqual(sent.targets, ['mia-listen'], JSON.stringify(sent));
  const [first] = await updates.waitFor(1, 20_000);
  assert.equal(first.uri, uri);
  const inbox = JSON.parse((await mia.client.readResource({ uri })).contents[0].text);
  assert.equal(inbox.bus_id, busId);
  assert.deepEqual(inbox.messages.map((m) => [m.payload.tag, m.user_id, m.bus_id]), [['from-a', 'olivia', busId]]);

  // A streaming receive on B gets a send on A live.
  const messages = collect(mia.client, 'notifications/message');
  const receiving = mia.client.callTool({ name: 'blender_receive_messages',
    arguments: { bus_id: busId, client_uuid: 'mia-stream', wait_seconds: 45 }, _meta: DEBUG }).then(toolJson);
  await olivia.call('blender_send_message', { bus_id: busId, target_uuid: 'mia-stream', payload: { tag: 'live' } });
  const [live] = await messages.waitFor(1, 20_000);
  assert.equal(live.data.payload.tag, 'live');
  assert.equal(live.data.bus_id, busId);

  // The outsider on B: "bus not found", as on a single server.
  const refused = await oscar.client.listen({ resourceSubscriptions: [uri] }).then(() => null, (e) => e);
  assert.deepEqual(refused?.data, { uri, error: 'bus not found' });
  assert.deepEqual(await v2Json(oscar.client, 'blender_register_client', { bus_id: busId, client_uuid: 'o', client_type: 'llm' }),
    { status: 'error', error: 'bus not found' });

  // Removal on A ends the streaming receive on B at once (its wait was 45 s),
  // and the listen hears nothing of what the owner sends next.
  const removed = await olivia.call('blender_bus_remove_member', { bus_id: busId, username: 'mia' });
  assert.deepEqual(removed.removed_clients, ['mia-listen', 'mia-stream']);
  assert.deepEqual(await receiving, { status: 'error', error: 'bus not found' });
  assert.equal(messages.got.length, 1);
  await olivia.call('blender_register_client', { bus_id: busId, client_uuid: 'mia-listen', client_type: 'blender' });
  await olivia.call('blender_send_message', { bus_id: busId, target_uuid: 'mia-listen', payload: { tag: 'after' } });
  await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'after', timeoutMs: 20_000 });
  assert.deepEqual(JSON.parse((await mia.client.readResource({ uri })).contents[0].text),
    { status: 'error', error: 'bus not found' });
  assert.equal(updates.got.length, 1);
});

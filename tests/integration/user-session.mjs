// A user's official-SDK session for the shared-bus suites (single node and
// cluster), and the team they make.
import assert from 'node:assert/strict';

import { collectMessages, connectClient, login, toolJson } from './harness.mjs';

/**
 * Logs `username` in on `server` (a server or a cluster node) and connects:
 * call(tool, args) → the tool's JSON; read(uri) → a resource's JSON; records
 * in messages; tagged(tag) → the bus records whose payload has that tag.
 */
export async function userSession(server, username, password) {
  const { access_token: token } = await login(server, username, password);
  const c = await connectClient(server, { token, name: username });
  const messages = collectMessages(c.client);
  await c.streamOpened;
  return {
    ...c,
    name: username,
    messages,
    async call(name, args = {}) {
      return toolJson(await c.client.callTool({ name, arguments: args }));
    },
    async read(uri) {
      return JSON.parse((await c.client.readResource({ uri })).contents[0].text);
    },
    tagged: (tag) => messages.bus().filter((r) => r.data.payload?.tag === tag),
  };
}

/**
 * `owner` creates a bus and invites `member` and `guest`, who join; each is
 * { name, call(tool, args) → JSON } (a session of either era). Returns the bus_id.
 */
export async function makeTeam(owner, member, guest, name = 'farm') {
  const created = await owner.call('blender_bus_create', { name });
  assert.equal(created.status, 'ok', JSON.stringify(created));
  assert.deepEqual(Object.keys(created.bus), ['bus_id', 'name', 'role']);
  assert.equal(created.bus.role, 'owner');
  const busId = created.bus.bus_id;
  for (const [who, role] of [[member, 'member'], [guest, 'guest']]) {
    const invited = await owner.call('blender_bus_invite', { bus_id: busId, username: who.name, role });
    assert.equal(invited.status, 'ok', JSON.stringify(invited));
    assert.deepEqual(Object.keys(invited.invitation), ['code', 'bus_id', 'username', 'role', 'expires_at']);
    const joined = await who.call('blender_bus_join', { code: invited.invitation.code });
    assert.deepEqual(joined, { status: 'ok', bus: { bus_id: busId, name, role } });
  }
  return busId;
}

// Shared buses (issue 16) in cluster mode: two nodes on a real JetStream
// cluster (cluster-harness.mjs), the official SDK, four users. The owner is
// on node A; the member, the guest and an outsider on node B. The
// memberships live in the cluster's KV (BUS_SHARING) with a mirror on each
// node, so what A's owner decides holds on B a round trip later, and the
// shared bus's records cross the nodes as a personal bus's do.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { eventually, startCluster } from './cluster-harness.mjs';
import { userSession } from './user-session.mjs';
import { natsServerAvailable } from './nats-harness.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const PASSWORD = 'correct horse battery staple';

const session = (node, username) => userSession(node, username, PASSWORD);

const uuidsListed = (listed) => [...(listed.persistent ?? []), ...(listed.ephemeral ?? [])].map((c) => c.uuid).sort();

test('shared buses across two nodes: owner on A, member and guest on B', { skip, timeout: 240_000 }, async (t) => {
  const c = await startCluster({ t });
  for (const name of ['olivia', 'mia', 'gus', 'oscar']) c.user('add', name, { password: PASSWORD });
  const { a, b } = c.nodes;
  const olivia = await session(a, 'olivia');
  const [mia, gus, oscar] = await Promise.all(['mia', 'gus', 'oscar'].map((u) => session(b, u)));
  t.after(async () => { for (const s of [olivia, mia, gus, oscar]) await s.close(); });

  // The owner makes the bus and the invitations on A; they are accepted on B.
  const created = await olivia.call('blender_bus_create', { name: 'farm' });
  assert.equal(created.status, 'ok', JSON.stringify(created));
  const busId = created.bus.bus_id;
  for (const [who, role] of [[mia, 'member'], [gus, 'guest']]) {
    const invited = await olivia.call('blender_bus_invite', { bus_id: busId, username: who.name, role });
    assert.equal(invited.status, 'ok', JSON.stringify(invited));
    let joined;
    await eventually(`${who.name} to join on B`, 10_000, async () => {
      joined = await who.call('blender_bus_join', { code: invited.invitation.code });
      return joined.status === 'ok' || joined;
    });
    assert.deepEqual(joined, { status: 'ok', bus: { bus_id: busId, name: 'farm', role } });
  }
  // A code used on B is used on A too.
  const again = await olivia.call('blender_bus_invite', { bus_id: busId, username: 'oscar', role: 'guest' });
  await eventually('oscar\'s invitation to reach B', 10_000, async () =>
    (await oscar.call('blender_bus_join', { code: again.invitation.code })).status === 'ok' || 'not yet');
  const removedOscar = await olivia.call('blender_bus_remove_member', { bus_id: busId, username: 'oscar' });
  assert.equal(removedOscar.status, 'ok', JSON.stringify(removedOscar));

  // The farm's worker on A, the artist's assistant and the freelancer's Blender on B.
  for (const [s, uuid, type] of [[olivia, 'farm-worker', 'blender'], [mia, 'mia-llm', 'llm'], [gus, 'gus-blender', 'blender']]) {
    const r = await s.call('blender_register_client', { bus_id: busId, client_uuid: uuid, client_type: type });
    assert.equal(r.status, 'ok', JSON.stringify(r));
  }
  await gus.call('blender_register_client', { client_uuid: 'gus-own', client_type: 'blender' });
  await eventually('A to list the clients on B', 20_000, async () => {
    const listed = uuidsListed(await olivia.call('blender_list_available_clients', { bus_id: busId }));
    return JSON.stringify(listed) === JSON.stringify(['farm-worker', 'gus-blender', 'mia-llm']) || listed;
  });

  // A shared-bus send on A reaches the guest's stream on B, with bus_id.
  const sent = await olivia.call('blender_send_message', { bus_id: busId, client_type: 'blender', payload: { tag: 'from-a' } });
  assert.deepEqual([...sent.targets].sort(), ['farm-worker', 'gus-blender']);
  const [record] = await gus.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'from-a', timeoutMs: 20_000 });
  assert.equal(record.data.bus_id, busId);
  assert.equal(record.data.user_id, 'olivia');
  await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'from-a', timeoutMs: 20_000 });

  // A job from the member to the guest's Blender, and the reply.
  const jobId = 'job-cluster-shared-1';
  const job = await mia.call('blender_send_message', {
    bus_id: busId, target_uuid: 'gus-blender', from_uuid: 'mia-llm',
    payload: { message_type: 'job_dispatch', job_id: jobId, script: 'import bpy' },
  });
  assert.equal(job.job_id, jobId, JSON.stringify(job));
  await gus.messages.waitFor(1, { filter: (r) => r.data.job_id === jobId, timeoutMs: 20_000 });
  const reply = await gus.call('blender_job_update', { bus_id: busId, job_id: jobId, status: 'completed', result: 'rendered' });
  assert.deepEqual(reply, { status: 'ok', delivered: 'direct', targets: ['mia-llm'], bus_id: busId });
  const [update] = await mia.messages.waitFor(1, {
    filter: (r) => r.data.payload?.kind === 'job_update' && r.data.job_id === jobId, timeoutMs: 20_000,
  });
  assert.equal(update.data.payload.result, 'rendered');
  assert.equal(update.data.bus_id, busId);

  // The outsider on B (removed above) is refused as for a bus that does not exist.
  for (const [tool, args] of [['blender_list_available_clients', {}], ['blender_send_message', { payload: {} }],
    ['blender_register_client', { client_uuid: 'oscar-x', client_type: 'blender' }], ['blender_bus_members', {}]]) {
    assert.deepEqual(await oscar.call(tool, { bus_id: busId, ...args }), { status: 'error', error: 'bus not found' }, tool);
  }
  // The guest may not send.
  assert.deepEqual(await gus.call('blender_send_message', { bus_id: busId, payload: {} }),
    { status: 'error', error: 'forbidden: guest cannot send_message' });

  // Removal on A takes effect on B at once: the guest's client is off the
  // bus, and their open stream on B receives nothing more of it.
  const removed = await olivia.call('blender_bus_remove_member', { bus_id: busId, username: 'gus' });
  assert.deepEqual(removed, { status: 'ok', bus_id: busId, username: 'gus', removed_clients: ['gus-blender'] });
  await eventually('B to see the removal', 5_000, async () =>
    (await gus.call('blender_list_available_clients', { bus_id: busId })).error === 'bus not found' || 'still a member');
  const after = await olivia.call('blender_send_message', { bus_id: busId, client_type: 'blender', payload: { tag: 'after-removal' } });
  assert.deepEqual(after.targets, ['farm-worker']);
  await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'after-removal', timeoutMs: 20_000 });
  // Gus's personal stream on B still works: a barrier through it.
  await gus.call('blender_send_message', { target_uuid: 'gus-own', payload: { tag: 'gus-barrier' } });
  await gus.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'gus-barrier', timeoutMs: 20_000 });
  assert.equal(gus.tagged('after-removal').length, 0);
  await eventually('B to list the bus without the guest\'s client', 5_000, async () => {
    const listed = uuidsListed(await mia.call('blender_list_available_clients', { bus_id: busId }));
    return JSON.stringify(listed) === JSON.stringify(['farm-worker', 'mia-llm']) || listed;
  });
  assert.deepEqual((await gus.call('blender_bus_list')).buses.map((x) => x.bus_id), ['gus']);
});

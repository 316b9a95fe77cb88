// Shared buses (issue 16): one bus for a team, with owner, member and guest
// roles, against the real server with the official SDK and four users: an
// owner (olivia), a member (mia), a guest (gus) and an outsider (oscar).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { makeDataDir, serverBin, startServer, userCommand } from './harness.mjs';
import { makeTeam, userSession } from './user-session.mjs';

const PASSWORD = 'correct horse battery staple';
const USERS = ['olivia', 'mia', 'gus', 'oscar'].map((username) => ({ username, password: PASSWORD }));
// The tools that name no bus: they never answer "bus not found".
const NO_BUS = new Set(['blender_bus_create', 'blender_bus_list', 'blender_bus_join']);

const session = (server, username) => userSession(server, username, PASSWORD);

/**
 * Calls `ask` until `done(answer)` holds (the server reads another process's
 * store changes within a second), for up to 10 s; returns the last answer.
 */
async function askUntil(ask, done) {
  const deadline = Date.now() + 10_000;
  let answer = await ask();
  while (!done(answer) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await ask();
  }
  return answer;
}

/** Sends a barrier record to `to` on `bus_id` and waits for it: whatever was sent before has arrived. */
async function barrier(from, to, uuid, busId, tag) {
  const sent = await from.call('blender_send_message', { bus_id: busId, target_uuid: uuid, payload: { tag } });
  assert.deepEqual(sent.targets, [uuid]);
  await to.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === tag });
}

describe('shared buses', () => {
  let server;
  let olivia, mia, gus, oscar;
  let busId;

  before(async () => {
    server = await startServer({ users: USERS });
    [olivia, mia, gus, oscar] = await Promise.all(USERS.map((u) => session(server, u.username)));
    busId = await makeTeam(olivia, mia, gus);
    // On the shared bus: the farm's worker (owner), the artist's assistant
    // (member) and the freelancer's Blender (guest).
    for (const [s, uuid, type, group] of [[olivia, 'farm-worker', 'blender', 'render'],
      [mia, 'mia-llm', 'llm', null], [gus, 'gus-blender', 'blender', 'render']]) {
      const r = await s.call('blender_register_client', { bus_id: busId, client_uuid: uuid, client_type: type, group_id: group, is_persistent: type === 'blender' });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      assert.equal(r.bus_id, busId);
    }
    // On their personal buses, each has a client of its own.
    for (const [s, uuid] of [[olivia, 'olivia-own'], [mia, 'mia-own'], [gus, 'gus-own']]) {
      await s.call('blender_register_client', { client_uuid: uuid, client_type: 'blender', group_id: 'render' });
    }
  });
  after(async () => {
    for (const s of [olivia, mia, gus, oscar]) await s?.close();
    await server?.stop();
  });

  test('blender_bus_list shows the personal bus and the shared one, with roles', async () => {
    assert.deepEqual(await gus.call('blender_bus_list'), {
      status: 'ok',
      buses: [
        { bus_id: 'gus', name: 'gus', role: 'owner', personal: true },
        { bus_id: busId, name: 'farm', role: 'guest', personal: false },
      ],
    });
    const listed = await mia.call('blender_list_available_clients', { bus_id: busId });
    assert.equal(listed.user_id, 'mia');
    assert.equal(listed.bus_id, busId);
    assert.deepEqual(listed.persistent.map((c) => c.uuid).sort(), ['farm-worker', 'gus-blender']);
    assert.deepEqual(listed.ephemeral.map((c) => c.uuid), ['mia-llm']);
    const stats = await mia.read(`blender://bus/stats?bus_id=${busId}`);
    assert.equal(stats.bus_id, busId);
    assert.equal(stats.persistent_count, 2);
    const clients = await gus.read(`blender+blender://bus/clients?bus_id=${busId}`);
    assert.equal(clients.bus_id, busId);
    // The personal bus's views are exactly as before: no bus_id.
    const own = await gus.call('blender_list_available_clients');
    assert.deepEqual(Object.keys(own), ['status', 'user_id', 'persistent', 'ephemeral']);
    assert.deepEqual(own.ephemeral.map((c) => c.uuid), ['gus-own']);
  });

  test('every routing mode reaches the shared bus\'s clients only, and records carry bus_id after the SPEC §7 keys', async () => {
    const modes = [
      ['direct', { target_uuid: 'gus-blender' }, ['gus-blender']],
      ['group', { group_id: 'render' }, ['farm-worker', 'gus-blender']],
      ['type', { client_type: 'blender' }, ['farm-worker', 'gus-blender']],
      ['broadcast', {}, ['farm-worker', 'gus-blender']],
    ];
    for (const [tag, routing, targets] of modes) {
      const sent = await mia.call('blender_send_message', { bus_id: busId, from_uuid: 'mia-llm', payload: { tag }, ...routing });
      assert.equal(sent.status, 'ok', JSON.stringify(sent));
      assert.deepEqual([...sent.targets].sort(), targets, tag);
      assert.equal(sent.bus_id, busId);
    }
    for (const [tag, , targets] of modes) {
      const gusGot = await gus.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === tag });
      const oliviaGot = targets.includes('farm-worker')
        ? await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === tag }) : [];
      for (const record of [...gusGot, ...oliviaGot]) {
        assert.deepEqual(Object.keys(record.data), ['user_id', 'from_uuid', 'target_uuid', 'routing', 'payload', 'job_id', 'message_id', 'priority', 'timestamp', 'bus_id']);
        assert.equal(record.data.user_id, 'mia');
        assert.equal(record.data.bus_id, busId);
      }
    }
    // Isolation: nothing of the shared bus reached a personal client, and a
    // personal send reaches no shared client.
    const personal = await mia.call('blender_send_message', { group_id: 'render', payload: { tag: 'personal' } });
    assert.deepEqual(personal.targets, ['mia-own']);
    assert.equal(personal.bus_id, undefined);
    const [own] = await mia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'personal' });
    assert.deepEqual(Object.keys(own.data), ['user_id', 'from_uuid', 'target_uuid', 'routing', 'payload', 'job_id', 'message_id', 'priority', 'timestamp']);
    for (const r of [...gus.messages.bus(), ...olivia.messages.bus()]) {
      assert.notEqual(r.data.target_uuid, 'gus-own');
      assert.notEqual(r.data.target_uuid, 'olivia-own');
    }
    assert.equal(gus.tagged('personal').length, 0);
  });

  test('a job from the member runs on the guest\'s Blender and the reply comes back to the member', async () => {
    const jobId = 'job-shared-1';
    const sent = await mia.call('blender_send_message', {
      bus_id: busId, target_uuid: 'gus-blender', from_uuid: 'mia-llm',
      payload: { message_type: 'job_dispatch', job_id: jobId, script: 'import bpy' },
    });
    assert.equal(sent.job_id, jobId);
    await gus.messages.waitFor(1, { filter: (r) => r.data.job_id === jobId });
    const reply = await gus.call('blender_job_update', { bus_id: busId, job_id: jobId, status: 'completed', result: 'rendered' });
    assert.deepEqual(reply, { status: 'ok', delivered: 'direct', targets: ['mia-llm'], bus_id: busId });
    const [update] = await mia.messages.waitFor(1, { filter: (r) => r.data.payload?.kind === 'job_update' && r.data.job_id === jobId });
    assert.equal(update.data.payload.result, 'rendered');
    assert.equal(update.data.user_id, 'gus');
    assert.equal(update.data.bus_id, busId);
    // The same job id on gus's personal bus is another job.
    const personal = await gus.call('blender_job_status', { job_id: jobId });
    assert.deepEqual(personal, { status: 'error', error: 'job_not_found', job_id: jobId });
    const shared = await mia.call('blender_job_status', { bus_id: busId, job_id: jobId });
    assert.equal(shared.job_status, 'completed');
    // The inbox uri names the bus too; another member's client is not theirs to read.
    const inbox = await mia.read(`blender://bus/inbox/mia-llm?bus_id=${busId}`);
    assert.equal(inbox.status, 'ok');
    assert.equal(inbox.bus_id, busId);
    await assert.rejects(gus.read(`blender://bus/inbox/mia-llm?bus_id=${busId}`), /not found/i);
    assert.deepEqual(await oscar.read(`blender://bus/inbox/mia-llm?bus_id=${busId}`), { status: 'error', error: 'bus not found' });
  });

  test('every forbidden action is refused with the role and the action', async () => {
    const forbidden = [
      [gus, 'blender_send_message', { payload: {} }, 'forbidden: guest cannot send_message'],
      [gus, 'blender_bus_invite', { username: 'oscar', role: 'guest' }, 'forbidden: guest cannot invite'],
      [gus, 'blender_bus_remove_member', { username: 'mia' }, 'forbidden: guest cannot remove_member'],
      [gus, 'blender_bus_set_role', { username: 'gus', role: 'owner' }, 'forbidden: guest cannot set_role'],
      [gus, 'blender_bus_members', {}, 'forbidden: guest cannot list_members'],
      [mia, 'blender_bus_invite', { username: 'oscar', role: 'member' }, 'forbidden: member cannot invite'],
      [mia, 'blender_bus_remove_member', { username: 'gus' }, 'forbidden: member cannot remove_member'],
      [mia, 'blender_bus_set_role', { username: 'mia', role: 'owner' }, 'forbidden: member cannot set_role'],
      [mia, 'blender_bus_members', {}, 'forbidden: member cannot list_members'],
    ];
    for (const [who, tool, args, error] of forbidden) {
      assert.deepEqual(await who.call(tool, { bus_id: busId, ...args }), { status: 'error', error }, `${who.name} ${tool}`);
    }
    // A member's clients are theirs: another member cannot take them over or read them.
    assert.deepEqual(await mia.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-blender', client_type: 'llm' }),
      { status: 'error', error: 'client_uuid belongs to another member of this bus' });
    assert.deepEqual(await mia.call('blender_receive_messages', { bus_id: busId, client_uuid: 'gus-blender' }),
      { status: 'error', error: 'client_uuid belongs to another member of this bus' });
    assert.deepEqual(await olivia.call('blender_bus_leave', { bus_id: busId }),
      { status: 'error', error: 'the last owner cannot leave until ownership is passed on' });
  });

  test('an outsider gets "bus not found" on every bus tool and resource, as for a bus that does not exist', async () => {
    const { tools } = await oscar.client.listTools();
    const busTools = tools.filter((t) => !NO_BUS.has(t.name));
    assert.ok(busTools.length >= 12, busTools.map((t) => t.name).join());
    for (const tool of busTools) {
      assert.ok(tool.inputSchema.properties.bus_id, `${tool.name} takes bus_id`);
      const args = {};
      for (const name of tool.inputSchema.required ?? []) {
        const prop = tool.inputSchema.properties[name];
        args[name] = prop.enum ? prop.enum[0] : prop.type === 'object' ? {} : 'x';
      }
      for (const id of [busId, 'bus_0000000000000000', 'olivia']) {
        assert.deepEqual(await oscar.call(tool.name, { ...args, bus_id: id }), { status: 'error', error: 'bus not found' }, `${tool.name} on ${id}`);
      }
    }
    for (const uri of [`blender://bus/stats?bus_id=${busId}`, `blender+blender://bus/clients?bus_id=${busId}`]) {
      assert.deepEqual(await oscar.read(uri), { status: 'error', error: 'bus not found' });
    }
    assert.equal((await oscar.call('blender_bus_list')).buses.length, 1);
  });

  test('invitations: another user\'s code, a code used twice', async () => {
    const { invitation } = await olivia.call('blender_bus_invite', { bus_id: busId, username: 'oscar', role: 'guest' });
    assert.deepEqual(await mia.call('blender_bus_join', { code: invitation.code }), { status: 'error', error: 'invitation is for another user' });
    assert.equal((await oscar.call('blender_bus_join', { code: invitation.code })).status, 'ok');
    assert.deepEqual(await oscar.call('blender_bus_join', { code: invitation.code }), { status: 'error', error: 'invitation already used' });
    assert.deepEqual(await oscar.call('blender_bus_join', { code: 'inv_never_issued' }), { status: 'error', error: 'invitation not found' });
    const removed = await olivia.call('blender_bus_remove_member', { bus_id: busId, username: 'oscar' });
    assert.deepEqual(removed, { status: 'ok', bus_id: busId, username: 'oscar', removed_clients: [] });
  });

  test('the same uuid on two buses is two clients', async () => {
    await olivia.call('blender_register_client', { client_uuid: 'same-uuid', client_type: 'blender' });
    await olivia.call('blender_register_client', { bus_id: busId, client_uuid: 'same-uuid', client_type: 'blender' });
    const sent = await mia.call('blender_send_message', { bus_id: busId, target_uuid: 'same-uuid', payload: { tag: 'same' } });
    assert.deepEqual(sent.targets, ['same-uuid']);
    const [record] = await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'same' });
    assert.equal(record.data.bus_id, busId);
    const personal = await olivia.call('blender_send_message', { target_uuid: 'same-uuid', payload: { tag: 'same-personal' } });
    assert.deepEqual(personal.targets, ['same-uuid']);
    const [own] = await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'same-personal' });
    assert.equal(own.data.bus_id, undefined);
    assert.equal(olivia.tagged('same').length, 1);
    assert.equal((await olivia.call('blender_unregister_client', { bus_id: busId, client_uuid: 'same-uuid' })).status, 'ok');
    assert.equal((await olivia.call('blender_list_available_clients')).persistent.length
      + (await olivia.call('blender_list_available_clients')).ephemeral.length, 2, 'the personal same-uuid stays');
  });

  test('removal takes effect at once: the member\'s clients leave, their open stream stops receiving, their pending records go', async () => {
    // A record waits for gus's offline persistent client.
    await gus.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-offline', client_type: 'blender', is_persistent: true });
    const members = await olivia.call('blender_bus_members', { bus_id: busId });
    assert.deepEqual(members.members.map((m) => [m.username, m.role]), [['olivia', 'owner'], ['mia', 'member'], ['gus', 'guest']]);
    const removed = await olivia.call('blender_bus_remove_member', { bus_id: busId, username: 'gus' });
    assert.deepEqual(removed, { status: 'ok', bus_id: busId, username: 'gus', removed_clients: ['gus-blender', 'gus-offline'] });
    // Gus's stream is still open: nothing more of the bus reaches it.
    const sent = await mia.call('blender_send_message', { bus_id: busId, client_type: 'blender', payload: { tag: 'after-removal' } });
    assert.deepEqual(sent.targets, ['farm-worker']);
    await olivia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'after-removal' });
    await barrier(gus, gus, 'gus-own', undefined, 'gus-barrier');  // gus's personal stream still works
    assert.equal(gus.tagged('after-removal').length, 0);
    assert.deepEqual(await gus.call('blender_list_available_clients', { bus_id: busId }), { status: 'error', error: 'bus not found' });
    const listed = await mia.call('blender_list_available_clients', { bus_id: busId });
    assert.deepEqual([...listed.persistent, ...listed.ephemeral].map((c) => c.uuid).sort(), ['farm-worker', 'mia-llm']);
    assert.deepEqual((await gus.call('blender_bus_list')).buses.map((b) => b.bus_id), ['gus']);
  });
});

test('an invitation expires after the server\'s --invitation-lifetime', async () => {
  const server = await startServer({ users: USERS, args: ['--invitation-lifetime', '1'] });
  const olivia = await session(server, 'olivia');
  const gus = await session(server, 'gus');
  try {
    const { bus } = await olivia.call('blender_bus_create', { name: 'short' });
    const { invitation } = await olivia.call('blender_bus_invite', { bus_id: bus.bus_id, username: 'gus', role: 'guest' });
    assert.ok(invitation.expires_at - Date.now() / 1000 <= 1.5);
    // Waits for the expiry itself (a second), then the code no longer works.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, invitation.expires_at * 1000 - Date.now()) + 100));
    const answer = await gus.call('blender_bus_join', { code: invitation.code });
    assert.deepEqual(answer, { status: 'error', error: 'invitation expired' });
    assert.deepEqual(await gus.call('blender_list_available_clients', { bus_id: bus.bus_id }), { status: 'error', error: 'bus not found' });
  } finally {
    await olivia.close();
    await gus.close();
    await server.stop();
  }
});

test('shared buses, memberships and a guest\'s waiting records survive a restart', async () => {
  const dataDir = await makeDataDir();
  try {
    let server = await startServer({ users: USERS, dataDir });
    let olivia = await session(server, 'olivia');
    let mia = await session(server, 'mia');
    let gus = await session(server, 'gus');
    const busId = await makeTeam(olivia, mia, gus, 'persistent farm');
    await gus.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-blender', client_type: 'blender', is_persistent: true });
    await gus.close();  // offline: the record waits in its inbox
    const sent = await mia.call('blender_send_message', { bus_id: busId, target_uuid: 'gus-blender', payload: { tag: 'waited' } });
    assert.deepEqual(sent.targets, ['gus-blender']);
    await olivia.close();
    await mia.close();
    await server.stop();

    server = await startServer({ users: [], dataDir });
    mia = await session(server, 'mia');
    gus = await session(server, 'gus');
    try {
      assert.deepEqual((await gus.call('blender_bus_list')).buses[1], { bus_id: busId, name: 'persistent farm', role: 'guest', personal: false });
      assert.deepEqual(await gus.call('blender_send_message', { bus_id: busId, payload: {} }), { status: 'error', error: 'forbidden: guest cannot send_message' });
      // The uuid is still gus's: mia cannot take it.
      assert.equal((await mia.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-blender', client_type: 'x' })).error,
        'client_uuid belongs to another member of this bus');
      await gus.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-blender', client_type: 'blender', is_persistent: true });
      const [record] = await gus.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'waited' });
      assert.equal(record.data.bus_id, busId);
    } finally {
      await mia.close();
      await gus.close();
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a deleted user leaves their shared buses: ownership passes to another owner, a bus with none left is archived', async () => {
  const server = await startServer({ users: USERS });
  const olivia = await session(server, 'olivia');
  const mia = await session(server, 'mia');
  const gus = await session(server, 'gus');
  try {
    const passed = await makeTeam(olivia, mia, gus, 'passed on');
    assert.equal((await olivia.call('blender_bus_set_role', { bus_id: passed, username: 'mia', role: 'owner' })).member.role, 'owner');
    const archived = (await olivia.call('blender_bus_create', { name: 'alone' })).bus.bus_id;
    const { invitation } = await olivia.call('blender_bus_invite', { bus_id: archived, username: 'gus', role: 'guest' });
    await gus.call('blender_bus_join', { code: invitation.code });
    await olivia.call('blender_register_client', { bus_id: passed, client_uuid: 'olivia-worker', client_type: 'blender', is_persistent: true });
    // A receive waiting on the bus about to be archived.
    await gus.call('blender_register_client', { bus_id: archived, client_uuid: 'gus-poll', client_type: 'llm' });
    const polling = gus.call('blender_receive_messages', { bus_id: archived, client_uuid: 'gus-poll', wait_seconds: 45 });
    userCommand(server.dataDir, 'del', 'olivia');
    // The server hears of the deletion within a second: wait for its effect.
    const members = await askUntil(() => mia.call('blender_bus_members', { bus_id: passed }),
      (m) => m.members.length === 2);
    assert.deepEqual(members.members.map((m) => [m.username, m.role]), [['mia', 'owner'], ['gus', 'guest']]);
    const listed = await mia.call('blender_list_available_clients', { bus_id: passed });
    assert.deepEqual(listed.persistent, [], 'the deleted owner\'s client left the bus');
    assert.deepEqual(await gus.call('blender_list_available_clients', { bus_id: archived }), { status: 'error', error: 'bus not found' });
    assert.deepEqual((await gus.call('blender_bus_list')).buses.map((b) => b.name), ['gus', 'passed on']);
    // The archive ends the waiting receive at once, long before its 45 s.
    const stillWaiting = new Promise((resolve) => { setTimeout(resolve, 20_000, 'still waiting').unref(); });
    assert.deepEqual(await Promise.race([polling, stillWaiting]), { status: 'error', error: 'bus not found' });
  } finally {
    await mia.close();
    await gus.close();
    await olivia.close();
    await server.stop();
  }
});

/** `blender-bus bus ARGS… --data-dir D`; asserts the exit status; returns stdout. */
function busCommand(dataDir, args, { expectStatus = 0 } = {}) {
  const r = spawnSync(serverBin(), ['bus', ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, expectStatus, `bus ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

test('blender-bus bus … beside a running server: the same commands and rules, and a member it removes leaves at once', async () => {
  const server = await startServer({ users: USERS });
  const gus = await session(server, 'gus');
  const mia = await session(server, 'mia');
  try {
    const dir = server.dataDir;
    const created = busCommand(dir, ['create', 'cli farm', '--as', 'olivia']).stdout;
    const busId = /(bus_[0-9a-f]+)/.exec(created)[1];
    for (const [user, role] of [['gus', 'guest'], ['mia', 'member']]) {
      const code = busCommand(dir, ['invite', busId, user, '--role', role, '--as', 'olivia']).stdout.trim();
      assert.match(busCommand(dir, ['join', code, '--as', user]).stdout, new RegExp(`joined 'cli farm' ${busId} as ${role}`));
      busCommand(dir, ['join', code, '--as', user], { expectStatus: 1 });
    }
    assert.match(busCommand(dir, ['members', busId, '--as', 'gus'], { expectStatus: 1 }).stderr, /forbidden: guest cannot list_members/);
    assert.match(busCommand(dir, ['members', busId, '--as', 'oscar'], { expectStatus: 1 }).stderr, /bus not found/);
    assert.equal(busCommand(dir, ['members', busId, '--as', 'olivia']).stdout, 'olivia  owner\ngus  guest\nmia  member\n');
    // The running server reads the CLI's changes within a second.
    const joined = await askUntil(
      () => gus.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-cli', client_type: 'blender' }),
      (r) => r.status === 'ok');
    assert.equal(joined.status, 'ok', JSON.stringify(joined));
    busCommand(dir, ['remove-member', busId, 'gus', '--as', 'olivia']);
    const listed = await askUntil(() => mia.call('blender_list_available_clients', { bus_id: busId }),
      (l) => l.ephemeral.length === 0);
    assert.deepEqual(listed.ephemeral, [], 'the removed member\'s client left the bus');
    assert.deepEqual(await gus.call('blender_list_available_clients', { bus_id: busId }), { status: 'error', error: 'bus not found' });
  } finally {
    await gus.close();
    await mia.close();
    await server.stop();
  }
});

test('a user deleted while no server runs leaves their shared buses too: a server started later shows nothing of them there', async () => {
  const dataDir = await makeDataDir();
  try {
    let server = await startServer({ users: USERS, dataDir });
    let olivia = await session(server, 'olivia');
    let mia = await session(server, 'mia');
    let gus = await session(server, 'gus');
    const busId = await makeTeam(olivia, mia, gus, 'deleted offline');
    const alone = (await gus.call('blender_bus_create', { name: 'gus alone' })).bus.bus_id;
    const { invitation } = await gus.call('blender_bus_invite', { bus_id: alone, username: 'mia', role: 'member' });
    await mia.call('blender_bus_join', { code: invitation.code });
    for (const bus of [busId, alone]) {
      const r = await gus.call('blender_register_client', { bus_id: bus, client_uuid: 'gus-blender', client_type: 'blender', is_persistent: true });
      assert.equal(r.status, 'ok', JSON.stringify(r));
    }
    await gus.close();
    await mia.call('blender_send_message', { bus_id: busId, target_uuid: 'gus-blender', payload: { tag: 'left behind' } });
    await olivia.close();
    await mia.close();
    await server.stop();

    userCommand(dataDir, 'del', 'gus');
    server = await startServer({ users: [{ username: 'gus', password: PASSWORD }], dataDir });  // a namesake
    olivia = await session(server, 'olivia');
    gus = await session(server, 'gus');
    try {
      const members = await olivia.call('blender_bus_members', { bus_id: busId });
      assert.deepEqual(members.members.map((m) => [m.username, m.role]), [['olivia', 'owner'], ['mia', 'member']]);
      const listed = await olivia.call('blender_list_available_clients', { bus_id: busId });
      assert.deepEqual([...listed.persistent, ...listed.ephemeral], [], 'the deleted guest\'s client left the bus');
      // The bus gus alone owned was archived (mia is only a member).
      assert.deepEqual((await gus.call('blender_bus_list')).buses.map((b) => b.bus_id), ['gus']);
      assert.deepEqual(await gus.call('blender_list_available_clients', { bus_id: busId }), { status: 'error', error: 'bus not found' });
      // The uuid is free on the bus, and nothing waits for it there.
      const again = await olivia.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-blender', client_type: 'blender', is_persistent: true });
      assert.equal(again.status, 'ok', JSON.stringify(again));
      const pending = await olivia.call('blender_receive_messages', { bus_id: busId, client_uuid: 'gus-blender' });
      assert.deepEqual(pending.messages, [], JSON.stringify(pending));
    } finally {
      await olivia.close();
      await gus.close();
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

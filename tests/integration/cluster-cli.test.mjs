// The operator's commands on a cluster's KV, with or without nodes running
// (issues 16 and 13): `blender-bus bus … --cluster` manages shared buses in
// BUS_SHARING under the same rules as the tools (BusMemberships and the one
// check), and `user del --cluster` purges the user's bus from JetStream
// itself, so that a node started after it shows nothing of that user.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { eventually, startCluster } from './cluster-harness.mjs';
import { RawSession, assertNoSanitizerReport, login, sanitizerEnv, serverBin } from './harness.mjs';
import { natsServerAvailable } from './nats-harness.mjs';
import { userSession } from './user-session.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const PASSWORD = 'correct horse battery staple';

/** `blender-bus bus ARGS… --cluster URLS`; asserts the exit status; returns { stdout, stderr }. */
function busCommand(c, args, { expectStatus = 0 } = {}) {
  const r = spawnSync(serverBin(), ['bus', ...args, '--cluster', c.urls],
    { encoding: 'utf8', env: { ...process.env, ...sanitizerEnv() }, timeout: 90_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, expectStatus, `bus ${args.join(' ')} --cluster exited ${r.status}:\n${r.stderr}`);
  assertNoSanitizerReport(r.stderr ?? '', 'bus');
  return { stdout: r.stdout, stderr: r.stderr };
}

const uuidsListed = (listed) => [...(listed.persistent ?? []), ...(listed.ephemeral ?? [])].map((x) => x.uuid).sort();

describe('cluster mode: the operator\'s commands on the cluster\'s KV', { skip }, () => {
  test('`bus … --cluster`: the tools\' rules, a running node sees the change, and no node is needed', async (t) => {
    const c = await startCluster({ t, nodes: ['a'] });
    for (const name of ['olivia', 'mia', 'gus', 'oscar']) c.user('add', name, { password: PASSWORD });
    const mia = await userSession(c.nodes.a, 'mia', PASSWORD);

    const created = busCommand(c, ['create', 'cli farm', '--as', 'olivia']).stdout;
    const busId = /(bus_[0-9a-f]{32})/.exec(created)[1];
    const code = busCommand(c, ['invite', busId, 'mia', '--role', 'member', '--as', 'olivia']).stdout.trim();
    assert.match(busCommand(c, ['join', code, '--as', 'mia']).stdout, new RegExp(`^mia joined 'cli farm' ${busId} as member`));
    // The rules are BusMemberships' and the tools' check, as over a data directory.
    assert.match(busCommand(c, ['join', code, '--as', 'mia'], { expectStatus: 1 }).stderr, /invitation already used/);
    assert.match(busCommand(c, ['members', busId, '--as', 'oscar'], { expectStatus: 1 }).stderr, /bus: bus not found/);
    assert.match(busCommand(c, ['invite', busId, 'gus', '--role', 'guest', '--as', 'mia'], { expectStatus: 1 }).stderr,
      /forbidden: member cannot invite/);
    assert.match(busCommand(c, ['leave', busId, '--as', 'olivia'], { expectStatus: 1 }).stderr,
      /the last owner cannot leave until ownership is passed on/);
    assert.equal(busCommand(c, ['members', busId, '--as', 'olivia']).stdout, 'olivia  owner\nmia  member\n');

    // The running node's mirror shows the membership a round trip after the
    // command: the member's SDK client there uses the bus.
    let registered;
    await eventually('node a to see mia on the bus', 10_000, async () => {
      registered = await mia.call('blender_register_client', { bus_id: busId, client_uuid: 'mia-llm', client_type: 'llm' });
      return registered.status === 'ok' || registered;
    });
    const sent = await mia.call('blender_send_message', { bus_id: busId, target_uuid: 'mia-llm', payload: { tag: 'via-cli' } });
    assert.deepEqual(sent.targets, ['mia-llm'], JSON.stringify(sent));
    const [record] = await mia.messages.waitFor(1, { filter: (r) => r.data.payload?.tag === 'via-cli', timeoutMs: 20_000 });
    assert.equal(record.data.bus_id, busId);
    // A member the command removes leaves the bus on the node at once.
    assert.match(busCommand(c, ['remove-member', busId, 'mia', '--as', 'olivia']).stdout, /^mia is off /);
    await eventually('node a to take mia off the bus', 10_000, async () =>
      (await mia.call('blender_list_available_clients', { bus_id: busId })).error === 'bus not found' || 'still a member');
    await mia.close();

    // With every node stopped, the commands work on the KV alone ...
    await c.nodes.a.stop();
    const gusCode = busCommand(c, ['invite', busId, 'gus', '--role', 'guest', '--as', 'olivia']).stdout.trim();
    busCommand(c, ['join', gusCode, '--as', 'gus']);
    assert.equal(busCommand(c, ['list', '--as', 'gus']).stdout, `${busId}  guest  cli farm\n`);
    assert.equal(busCommand(c, ['list', '--as', 'mia']).stdout, '');
    // ... and a node started after them holds them.
    const b = await c.startNode('b');
    const gus = await userSession(b, 'gus', PASSWORD);
    const onB = await gus.call('blender_register_client', { bus_id: busId, client_uuid: 'gus-blender', client_type: 'blender' });
    assert.equal(onB.status, 'ok', JSON.stringify(onB));
    assert.deepEqual(await gus.call('blender_send_message', { bus_id: busId, payload: {} }),
      { status: 'error', error: 'forbidden: guest cannot send_message' });
    await gus.close();
    await b.stop();
  });

  test('`user del --cluster` with every node stopped purges the user\'s bus: a node started after it shows nothing of them', async (t) => {
    const c = await startCluster({ t, nodes: ['a'], natsServers: 1 });
    for (const name of ['alice', 'bob']) c.user('add', name, { password: PASSWORD });
    const a = c.nodes.a;

    // Alice's bus on the cluster: a persistent client with records waiting,
    // an open job, a client whose stream is open (its presence); and a
    // client of hers on Bob's shared bus.
    const created = busCommand(c, ['create', 'bob farm', '--as', 'bob']).stdout;
    const busId = /(bus_[0-9a-f]{32})/.exec(created)[1];
    const code = busCommand(c, ['invite', busId, 'alice', '--role', 'member', '--as', 'bob']).stdout.trim();
    busCommand(c, ['join', code, '--as', 'alice']);
    const { access_token: token } = await login(a, 'alice', PASSWORD);
    const alice = await RawSession.open(a.mcpUrl, { token });
    for (const args of [
      { client_uuid: 'alice-render', client_type: 'blender', is_persistent: true },
      { client_uuid: 'alice-live', client_type: 'blender', is_persistent: true },
      { client_uuid: 'alice-llm', client_type: 'llm' },
    ]) {
      const r = await alice.callToolJson('blender_register_client', args);
      assert.equal(r.status, 'ok', JSON.stringify(r));
    }
    let shared;
    await eventually('node a to see alice on bob\'s bus', 10_000, async () => {
      shared = await alice.callToolJson('blender_register_client',
        { bus_id: busId, client_uuid: 'alice-shared', client_type: 'blender', is_persistent: true });
      return shared.status === 'ok' || shared;
    });
    for (let n = 0; n < 3; n++) {
      const r = await alice.callToolJson('blender_send_message', { target_uuid: 'alice-render', payload: { n } });
      assert.equal(r.status, 'ok', JSON.stringify(r));
    }
    const onShared = await alice.callToolJson('blender_send_message', { bus_id: busId, target_uuid: 'alice-shared', payload: { n: 'shared' } });
    assert.equal(onShared.status, 'ok', JSON.stringify(onShared));
    const job = await alice.callToolJson('blender_send_message', {
      target_uuid: 'alice-render', from_uuid: 'alice-llm',
      payload: { message_type: 'job_dispatch', job_id: 'alice-job', script: 'import bpy' },
    });
    assert.equal(job.job_id, 'alice-job', JSON.stringify(job));
    const live = await RawSession.open(a.mcpUrl, { token });
    await live.callToolJson('blender_register_client', { client_uuid: 'alice-live', client_type: 'blender', is_persistent: true });
    const stream = await live.openStream();
    assert.equal(stream.status, 200, stream.text);
    const before = await alice.callToolJson('blender_list_available_clients');
    assert.deepEqual(uuidsListed(before), ['alice-live', 'alice-llm', 'alice-render']);

    // Every node gone (a crash: nothing released), then the deletion.
    await a.kill();
    stream.close();
    c.user('del', 'alice');
    c.user('add', 'alice', { password: PASSWORD });  // a namesake, who must start empty

    const b = await c.startNode('b');
    const { access_token: fresh } = await login(b, 'alice', PASSWORD);
    const namesake = await RawSession.open(b.mcpUrl, { token: fresh });
    const listed = await namesake.callToolJson('blender_list_available_clients');
    assert.deepEqual(uuidsListed(listed), [], JSON.stringify(listed));
    const never = await namesake.callToolJson('blender_job_status', { job_id: 'never-was' });
    const jobAfter = await namesake.callToolJson('blender_job_status', { job_id: 'alice-job' });
    assert.deepEqual({ ...jobAfter, job_id: undefined }, { ...never, job_id: undefined });
    await namesake.callToolJson('blender_register_client', { client_uuid: 'alice-render', client_type: 'blender', is_persistent: true });
    const pending = await namesake.callToolJson('blender_receive_messages', { client_uuid: 'alice-render' });
    assert.deepEqual(pending.messages, [], JSON.stringify(pending));
    // Her shared bus membership went too, with her client there and its records.
    assert.equal(busCommand(c, ['list', '--as', 'alice']).stdout, '');
    assert.equal(busCommand(c, ['members', busId, '--as', 'bob']).stdout, 'bob  owner\n');
    const bob = await userSession(b, 'bob', PASSWORD);
    const onBus = await bob.call('blender_list_available_clients', { bus_id: busId });
    assert.deepEqual(uuidsListed(onBus), [], JSON.stringify(onBus));
    await bob.call('blender_register_client', { bus_id: busId, client_uuid: 'alice-shared', client_type: 'blender', is_persistent: true });
    const sharedPending = await bob.call('blender_receive_messages', { bus_id: busId, client_uuid: 'alice-shared' });
    assert.deepEqual(sharedPending.messages, [], JSON.stringify(sharedPending));
    await bob.close();
    await b.stop();
  });
});

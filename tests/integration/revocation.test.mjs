// Revocation takes effect at once (issue 12, defects 5 and 6), against the
// real binary:
// - logout, `user passwd` and `user del` make every access token of the user
//   fail on its next request, and end the user's open GET streams (the CLI
//   writes the store from another process; the server notices within a
//   second);
// - `user del` purges the user's bus (persistent clients, inboxes, open
//   jobs), in the running server and in the store: a namesake starts empty,
//   with and without a restart.
// "Ends" and "refused" are awaited events and exact answers, never sleeps.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, test } from 'node:test';

import { RawSession, login, makeDataDir, rawRequest, startServer, userCommand } from './harness.mjs';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const BOB = { username: 'bob', password: 'bob-password-2' };
const REVOKED = { detail: 'Invalid token: token has been revoked' };

/** POST /mcp ping on `session` with its token; the raw answer. */
function ping(session) {
  return session.post({ jsonrpc: '2.0', id: session.nextId++, method: 'ping' });
}

/** A logged-in session of `user` with its GET stream open. */
async function streamingSession(server, user) {
  const tokens = await login(server, user.username, user.password);
  const session = new RawSession(server.mcpUrl, { token: tokens.access_token });
  await session.initialize();
  const stream = await session.openStream();
  assert.equal(stream.status, 200, stream.text);
  return { tokens, session, stream };
}

function assertRevoked(res) {
  assert.equal(res.status, 401, res.text);
  assert.deepEqual(res.json, REVOKED);
}

describe('revoked tokens fail on their next request; open streams end', () => {
  test('logout: the access token is refused at once, the open GET stream ends, other users carry on', async () => {
    const server = await startServer({ users: [ALICE, BOB] });
    try {
      const alice = await streamingSession(server, ALICE);
      const bob = await streamingSession(server, BOB);
      assert.equal((await ping(alice.session)).status, 200);

      const out = await rawRequest(`${server.baseUrl}/auth/logout`, {
        method: 'POST', headers: { authorization: `Bearer ${alice.tokens.access_token}` },
      });
      assert.equal(out.status, 200, out.text);
      assertRevoked(await ping(alice.session));
      assertRevoked(await rawRequest(`${server.baseUrl}/auth/profile`,
        { headers: { authorization: `Bearer ${alice.tokens.access_token}` } }));
      await alice.stream.waitForEnd();

      // Bob's session and stream are untouched; alice can log in again.
      assert.equal((await ping(bob.session)).status, 200);
      assert.equal(bob.stream.ended, false);
      const again = await login(server, ALICE.username, ALICE.password);
      const fresh = new RawSession(server.mcpUrl, { token: again.access_token });
      await fresh.initialize();
      assert.equal((await ping(fresh)).status, 200);
      bob.stream.close();
    } finally {
      await server.stop();
    }
  });

  for (const action of ['passwd', 'del']) {
    test(`\`user ${action}\` run beside the server: the open GET stream ends and the token is refused`, async () => {
      const server = await startServer({ users: [ALICE, BOB] });
      try {
        const alice = await streamingSession(server, ALICE);
        const bob = await streamingSession(server, BOB);
        userCommand(server.dataDir, action, ALICE.username,
          action === 'passwd' ? { password: 'alice-new-password' } : {});
        await alice.stream.waitForEnd();
        assertRevoked(await ping(alice.session));
        const refresh = await rawRequest(`${server.baseUrl}/auth/refresh`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: alice.tokens.refresh_token }),
        });
        assert.equal(refresh.status, 401, refresh.text);
        assert.equal((await ping(bob.session)).status, 200);
        assert.equal(bob.stream.ended, false);
        bob.stream.close();
      } finally {
        await server.stop();
      }
    });
  }
});

/**
 * Gives `user` a bus worth inheriting: a persistent client `p1` (offline
 * afterwards) with a record waiting in its inbox, and an open job `job-1`.
 */
async function fillBus(server, user) {
  const { access_token: token } = await login(server, user.username, user.password);
  const worker = new RawSession(server.mcpUrl, { token });
  await worker.initialize();
  await worker.callToolJson('blender_register_client',
    { client_uuid: 'p1', client_type: 'blender', is_persistent: true, group_id: 'render' });
  assert.equal((await worker.delete()).status, 200);
  const llm = new RawSession(server.mcpUrl, { token });
  await llm.initialize();
  const sent = await llm.callToolJson('blender_send_message',
    { target_uuid: 'p1', from_uuid: 'llm-1', payload: { job_id: 'job-1', script: 'print(1)' } });
  assert.deepEqual(sent.targets, ['p1']);
  const listed = await llm.callToolJson('blender_list_available_clients');
  assert.deepEqual(listed.persistent.map((c) => [c.uuid, c.pending_records]), [['p1', 1]]);
  assert.equal((await llm.delete()).status, 200);
}

/** Asserts `user`, logged in now, sees an empty bus: no clients, no job, no records for p1. */
async function assertEmptyBus(server, user) {
  const { access_token: token } = await login(server, user.username, user.password);
  const s = new RawSession(server.mcpUrl, { token });
  await s.initialize();
  const listed = await s.callToolJson('blender_list_available_clients');
  assert.deepEqual([listed.persistent, listed.ephemeral], [[], []], JSON.stringify(listed));
  assert.deepEqual(await s.callToolJson('blender_job_status', { job_id: 'job-1' }),
    { status: 'error', error: 'job_not_found', job_id: 'job-1' });
  // Registering the old uuid again finds an empty inbox.
  await s.callToolJson('blender_register_client', { client_uuid: 'p1', client_type: 'blender', is_persistent: true });
  const pulled = await s.callToolJson('blender_receive_messages', { client_uuid: 'p1' });
  assert.deepEqual(pulled.messages, [], JSON.stringify(pulled));
  await s.delete();
}

describe('`user del` purges the bus: a namesake starts empty', () => {
  test('deleted and added again beside the running server: the new user sees nothing of the old', async () => {
    const server = await startServer({ users: [ALICE, BOB] });
    try {
      await fillBus(server, ALICE);
      await fillBus(server, BOB);
      userCommand(server.dataDir, 'del', ALICE.username);
      userCommand(server.dataDir, 'add', ALICE.username, { password: 'namesake-password' });
      await assertEmptyBus(server, { username: ALICE.username, password: 'namesake-password' });
      // Bob's bus is his still.
      const { access_token: token } = await login(server, BOB.username, BOB.password);
      const s = new RawSession(server.mcpUrl, { token });
      await s.initialize();
      const listed = await s.callToolJson('blender_list_available_clients');
      assert.deepEqual(listed.persistent.map((c) => [c.uuid, c.pending_records]), [['p1', 1]]);
    } finally {
      await server.stop();
    }
  });

  /** Fills alice's bus, deletes her (server up or down), restarts, and checks a namesake. */
  async function namesakeAfterRestart({ deleteWhileRunning }) {
    const dataDir = await makeDataDir();
    try {
      let server = await startServer({ dataDir, users: [ALICE] });
      await fillBus(server, ALICE);
      // Beside a running server, it may write once more before it notices;
      // the restart must not bring any of it back.
      if (deleteWhileRunning) userCommand(dataDir, 'del', ALICE.username);
      await server.stop();
      if (!deleteWhileRunning) userCommand(dataDir, 'del', ALICE.username);
      userCommand(dataDir, 'add', ALICE.username, { password: 'namesake-password' });
      server = await startServer({ dataDir });
      try {
        await assertEmptyBus(server, { username: ALICE.username, password: 'namesake-password' });
      } finally {
        await server.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  test('deleted beside the running server, added after a restart: still nothing of the old', () =>
    namesakeAfterRestart({ deleteWhileRunning: true }));

  test('deleted while the server is down: the restart restores nothing of the old', () =>
    namesakeAfterRestart({ deleteWhileRunning: false }));
});

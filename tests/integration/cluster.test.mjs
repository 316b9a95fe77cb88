// Cluster mode's foundations on real processes (issue 13 §2): three
// nats-server processes as one JetStream cluster, two or three blender-bus
// nodes on it (cluster-harness.mjs), the official MCP SDK as the client.
// - users, refresh tokens and the signing secret live in the cluster: a
//   login on one node is valid on every node;
// - revocation (logout, `user passwd|del --cluster`) reaches every node's
//   open sessions and streams;
// - /health names the node and the cluster's state;
// - a node started again with its data directory gone is still a full member;
// - with R3, logins go on when one NATS server of three is killed;
// - a node that cannot reach NATS refuses to start, saying so.
// Records across nodes belong to the JetStream delivery engine (its own tests).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { CLUSTER_PUBLIC_URL, eventually, startCluster } from './cluster-harness.mjs';
import {
  RawSession, assertNoSanitizerReport, callToolJson, connectClient, login, rawRequest, sanitizerEnv, serverBin,
} from './harness.mjs';
import { natsServerAvailable } from './nats-harness.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const BOB = { username: 'bob', password: 'bob-password-2' };
const REVOKED = { detail: 'Invalid token: token has been revoked' };

function ping(session) {
  return session.post({ jsonrpc: '2.0', id: session.nextId++, method: 'ping' });
}

function assertRevoked(res) {
  assert.equal(res.status, 401, res.text);
  assert.deepEqual(res.json, REVOKED);
}

function profile(node, token) {
  return rawRequest(`${node.baseUrl}/auth/profile`, { headers: { authorization: `Bearer ${token}` } });
}

function refresh(node, refreshToken) {
  return rawRequest(`${node.baseUrl}/auth/refresh`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}

async function health(node) {
  const res = await rawRequest(`${node.baseUrl}/health`);
  return { status: res.status, body: res.json };
}

/** A logged-in session of `user` on `node` with its GET stream open. */
async function streamingSession(node, user, tokens) {
  tokens ??= await login(node, user.username, user.password);
  const session = new RawSession(node.mcpUrl, { token: tokens.access_token });
  await session.initialize();
  const stream = await session.openStream();
  assert.equal(stream.status, 200, stream.text);
  return { tokens, session, stream };
}

describe('cluster mode: one set of users for every node', { skip }, () => {
  test('a login on A is valid on B: the SDK works there with it, and B rotates its refresh token', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const tokens = await login(a, ALICE.username, ALICE.password);

    const onB = await connectClient(b, { token: tokens.access_token });
    try {
      const [listed] = await callToolJson(onB.client, 'blender_list_available_clients');
      assert.equal(listed.user_id, ALICE.username);
      assert.deepEqual([listed.persistent, listed.ephemeral], [[], []]);
    } finally {
      await onB.close();
    }
    const me = await profile(b, tokens.access_token);
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.username, ALICE.username);

    // B rotates the refresh token A issued; A then refuses the used one.
    const rotated = await refresh(b, tokens.refresh_token);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await refresh(a, tokens.refresh_token)).status, 401);
    assert.equal((await profile(a, rotated.json.access_token)).status, 200);
    // One issuer for the cluster, whichever node signed.
    assert.equal(JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url')).iss, CLUSTER_PUBLIC_URL);
  });

  test('logout on B refuses the token on A and ends its open stream there; others carry on', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    c.user('add', BOB.username, { password: BOB.password });
    const { a, b } = c.nodes;
    const alice = await streamingSession(a, ALICE);
    const bob = await streamingSession(a, BOB);
    const out = await rawRequest(`${b.baseUrl}/auth/logout`, {
      method: 'POST', headers: { authorization: `Bearer ${alice.tokens.access_token}` },
    });
    assert.equal(out.status, 200, out.text);
    await alice.stream.waitForEnd();
    assertRevoked(await ping(alice.session));
    assertRevoked(await profile(a, alice.tokens.access_token));
    assert.equal((await refresh(a, alice.tokens.refresh_token)).status, 401);
    assert.equal((await ping(bob.session)).status, 200);
    assert.equal(bob.stream.ended, false);
    bob.stream.close();
  });

  for (const action of ['passwd', 'del']) {
    test(`\`user ${action} --cluster\`: every node refuses the user's tokens and ends their streams`, async (t) => {
      const c = await startCluster({ t });
      c.user('add', ALICE.username, { password: ALICE.password });
      const { a, b } = c.nodes;
      const tokens = await login(a, ALICE.username, ALICE.password);
      const onA = await streamingSession(a, ALICE, tokens);
      const onB = await streamingSession(b, ALICE, tokens);
      c.user(action, ALICE.username, action === 'passwd' ? { password: 'alice-new-password' } : {});
      await onA.stream.waitForEnd();
      await onB.stream.waitForEnd();
      assertRevoked(await ping(onA.session));
      assertRevoked(await ping(onB.session));
      assert.equal((await refresh(b, tokens.refresh_token)).status, 401);
      const listed = c.user('list').stdout;
      if (action === 'del') {
        assert.doesNotMatch(listed, /^alice\t/m);
        const res = await rawRequest(`${b.baseUrl}/auth/login`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ALICE),
        });
        assert.equal(res.status, 401, res.text);
      } else {
        assert.match(listed, /^alice\troles=user\tscopes=read,write\t/m);
        const again = await login(b, ALICE.username, 'alice-new-password');
        assert.equal((await profile(a, again.access_token)).status, 200);
      }
    });
  }

  test('/health names the node and the cluster; a node that stops leaves the others\' list', async (t) => {
    const c = await startCluster({ t });
    const { a, b } = c.nodes;
    await eventually('both nodes live on A', 20_000, async () => {
      const h = await health(a);
      return h.body?.cluster?.nodes?.join() === 'a,b' || h.body;
    });
    const h = await health(b);
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'healthy');
    assert.equal(h.body.node, 'b');
    assert.equal(h.body.buses, 0);
    assert.equal(h.body.clients, 0);
    assert.equal(h.body.cluster.nats, 'connected');
    assert.ok(c.nats.urls.includes(h.body.cluster.server), h.body.cluster.server);
    assert.equal(h.body.cluster.jetstream, true);
    assert.equal(h.body.cluster.replicas, 3);
    await b.stop();
    await eventually('b gone from A\'s list', 20_000, async () => {
      const now = await health(a);
      return now.body?.cluster?.nodes?.join() === 'a' || now.body;
    });
  });

  test('a node started again with its data directory gone is still a full member', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    const before = await login(c.nodes.a, ALICE.username, ALICE.password);
    await c.nodes.a.kill();
    const a = await c.startNode('a');  // a fresh, empty data directory
    assert.notEqual(a.dataDir, undefined);
    // Its secret and users come from the cluster: old tokens hold, logins work.
    assert.equal((await profile(a, before.access_token)).status, 200);
    const after = await login(a, ALICE.username, ALICE.password);
    assert.equal((await profile(c.nodes.b, after.access_token)).status, 200);
    const rotated = await refresh(a, before.refresh_token);
    assert.equal(rotated.status, 200, rotated.text);
    await eventually('a live again on B', 40_000, async () => {
      const h = await health(c.nodes.b);
      return h.body?.cluster?.nodes?.includes('a') || h.body;
    });
    assert.doesNotMatch(a.stdout(), /Created user 'admin'/);  // the cluster had users already
  });

  test('one NATS server of three killed: logins still work on every node (R3)', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const before = await login(a, ALICE.username, ALICE.password);
    await c.nats.kill('n1');
    // A login writes its refresh token; a bucket whose leader died elects
    // another (4-9 s in nats-server 2.9), and the write waits for it.
    const onA = await login(a, ALICE.username, ALICE.password);
    const onB = await login(b, ALICE.username, ALICE.password);
    assert.equal((await profile(b, onA.access_token)).status, 200);
    assert.equal((await profile(a, onB.access_token)).status, 200);
    assert.equal((await profile(b, before.access_token)).status, 200);
    assert.equal((await refresh(b, before.refresh_token)).status, 200);
    c.user('add', BOB.username, { password: BOB.password });
    await login(b, BOB.username, BOB.password);
    await eventually('A connected to a live server', 20_000, async () => {
      const h = await health(a);
      return (h.body?.cluster?.nats === 'connected' && h.body.cluster.server !== c.nats.urlOf('n1')) || h.body;
    });
  });
});

describe('cluster mode: a node that cannot join does not start', () => {
  function serve(args) {
    const r = spawnSync(serverBin(), ['serve', '--port', '0', ...args], {
      encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...sanitizerEnv() },
    });
    if (r.error) throw r.error;
    assertNoSanitizerReport(r.stderr, 'serve');
    return r;
  }

  test('NATS unreachable past --cluster-wait: exit 1, saying where it looked', () => {
    const dataDir = path.join(tmpdir(), `bb-cluster-unreachable-${process.pid}`);
    const r = serve(['--cluster', 'nats://127.0.0.1:1', '--node-name', 'a', '--cluster-wait', '1',
      '--data-dir', dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--cluster: no NATS server answered at nats:\/\/127\.0\.0\.1:1 within 1 s/);
  });

  test('the cluster settings may come from a config file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bb-cluster-config-'));
    try {
      const file = path.join(dir, 'bus.toml');
      await writeFile(file, 'cluster = ["nats://127.0.0.1:1"]\nnode-name = "from-file"\n' +
        'cluster-replicas = 1\ncluster-wait = 1\n');
      const r = serve(['--config', file, '--data-dir', path.join(dir, 'data')]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /--cluster: no NATS server answered at nats:\/\/127\.0\.0\.1:1 within 1 s/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('cluster flags without --cluster, or --cluster without a node name, are usage errors', () => {
    let r = serve(['--node-name', 'a']);
    assert.equal(r.status, 64, r.stderr);
    assert.match(r.stderr, /--node-name needs --cluster URLS/);
    r = serve(['--cluster', 'nats://127.0.0.1:4222']);
    assert.equal(r.status, 64, r.stderr);
    assert.match(r.stderr, /--node-name: a node name is needed/);
    r = serve(['--cluster', 'http://127.0.0.1:4222', '--node-name', 'a']);
    assert.equal(r.status, 64, r.stderr);
    assert.match(r.stderr, /is not a NATS server URL/);
  });
});

// Personal access tokens in cluster mode (issue 15 §3 on issue 13's
// cluster): they live in the cluster's KV, so a token made on one node, or
// by `blender-bus token create --cluster`, works on every node, and one
// revoked anywhere is refused on every node, its user's streams ended.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { eventually, startCluster } from './cluster-harness.mjs';
import { RawSession, assertNoSanitizerReport, login, rawRequest, sanitizerEnv, serverBin } from './harness.mjs';
import { natsServerAvailable } from './nats-harness.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const PAT = /^bmcp_[A-Za-z0-9_-]{43}$/;
const UNKNOWN = { detail: 'Invalid token: unknown or revoked personal access token' };

/** `blender-bus token ...args --cluster URLS`; the finished process. */
function tokenCommand(c, args, { expectStatus = 0 } = {}) {
  const r = spawnSync(serverBin(), ['token', ...args, '--cluster', c.urls],
    { encoding: 'utf8', env: { ...process.env, ...sanitizerEnv() }, timeout: 90_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, expectStatus, `token ${args.join(' ')} --cluster exited ${r.status}:\n${r.stderr}`);
  assertNoSanitizerReport(r.stderr ?? '', 'token');
  return r;
}

function profile(node, token) {
  return rawRequest(`${node.baseUrl}/auth/profile`, { headers: { authorization: `Bearer ${token}` } });
}

const accepted = (node, token) => async () => (await profile(node, token)).status === 200;
const refused = (node, token) => async () => {
  const res = await profile(node, token);
  return res.status === 401 && JSON.stringify(res.json) === JSON.stringify(UNKNOWN) ? true : res.status;
};

describe('cluster mode: personal access tokens on every node', { skip }, () => {
  test('`token create --cluster` works on A and B; revoked over HTTP on A, B refuses it and ends its stream', async (t) => {
    const c = await startCluster({ t, natsServers: 1 });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const made = tokenCommand(c, ['create', 'render-farm', '--user', ALICE.username, '--expires', '30d']);
    const token = made.stdout.trimEnd().split('\n').at(-1);
    assert.match(token, PAT);
    await eventually('A to accept the token', 10_000, accepted(a, token));
    await eventually('B to accept the token', 10_000, accepted(b, token));
    assert.equal((await profile(b, token)).json.username, ALICE.username);
    const listed = tokenCommand(c, ['list', '--user', ALICE.username]).stdout;
    assert.match(listed, /^render-farm\tscopes=read,write\t/m);
    assert.ok(!listed.includes(token.slice(5)), 'list shows no secret');

    // A stream open on B with the token, then the token revoked on A.
    const session = new RawSession(b.mcpUrl, { token });
    await session.initialize();
    const stream = await session.openStream();
    assert.equal(stream.status, 200, stream.text);
    const access = (await login(a, ALICE.username, ALICE.password)).access_token;
    const revoked = await rawRequest(`${a.baseUrl}/auth/tokens/render-farm`, {
      method: 'DELETE', headers: { authorization: `Bearer ${access}` },
    });
    assert.ok(revoked.status === 200 || revoked.status === 204, `${revoked.status} ${revoked.text}`);
    await eventually('A to refuse the revoked token', 10_000, refused(a, token));
    await eventually('B to refuse the revoked token', 10_000, refused(b, token));
    await stream.waitForEnd();
    // The name is free again, on any node.
    tokenCommand(c, ['create', 'render-farm', '--user', ALICE.username]);
  });

  test('a token made over HTTP on A works on B; `token revoke --cluster` refuses it on both', async (t) => {
    const c = await startCluster({ t, natsServers: 1 });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const access = (await login(a, ALICE.username, ALICE.password)).access_token;
    const made = await rawRequest(`${a.baseUrl}/auth/tokens`, {
      method: 'POST', headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', expires: '1d' }),
    });
    assert.equal(made.status, 201, made.text);
    const token = made.json.token;
    assert.match(token, PAT);
    await eventually('B to accept the token', 10_000, accepted(b, token));
    const onB = await rawRequest(`${b.baseUrl}/auth/tokens`, { headers: { authorization: `Bearer ${access}` } });
    assert.equal(onB.status, 200, onB.text);
    assert.deepEqual(onB.json.tokens.map((x) => x.name), ['ci']);
    tokenCommand(c, ['revoke', 'ci', '--user', ALICE.username]);
    await eventually('A to refuse the revoked token', 10_000, refused(a, token));
    await eventually('B to refuse the revoked token', 10_000, refused(b, token));
    tokenCommand(c, ['revoke', 'ci', '--user', ALICE.username], { expectStatus: 1 });
  });
});

// The built-in OAuth authorization server in cluster mode (issue 15 §1 on
// issue 13's cluster): clients, grants, codes and refresh tokens live in the
// cluster's KV, so a client registered and consented to on node A gets its
// tokens, refreshes and revocations honoured on node B, and a refresh-token
// family revoked anywhere is refused everywhere. Two nodes, three NATS
// servers (R3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { CLUSTER_PUBLIC_URL, eventually, startCluster } from './cluster-harness.mjs';
import { RawSession, assertNoSanitizerReport, rawRequest, sanitizerEnv, serverBin } from './harness.mjs';
import { natsServerAvailable } from './nats-harness.mjs';
import { pkce, postForm, signInOverHttp } from './oauth-forms.mjs';

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const REDIRECT = 'http://127.0.0.1:45678/callback';
const RESOURCE = `${CLUSTER_PUBLIC_URL}/mcp`;

/** `blender-bus oauth ...args --cluster URLS`; the finished process. */
function oauthCommand(c, args, { expectStatus = 0 } = {}) {
  const r = spawnSync(serverBin(), ['oauth', ...args, '--cluster', c.urls],
    { encoding: 'utf8', env: { ...process.env, ...sanitizerEnv() }, timeout: 90_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, expectStatus, `oauth ${args.join(' ')} --cluster exited ${r.status}:\n${r.stderr}`);
  assertNoSanitizerReport(r.stderr ?? '', 'oauth');
  return r;
}

async function register(node) {
  const res = await rawRequest(`${node.baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'Cluster assistant', application_type: 'native' }),
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** Sign-in and consent on `node` (the cluster's one public resource). */
async function consent(node, client, challenge) {
  const signedIn = await signInOverHttp({ baseUrl: node.baseUrl, mcpUrl: RESOURCE }, client.client_id,
    REDIRECT, challenge, { username: ALICE.username, password: ALICE.password });
  assert.ok(signedIn.code, `no code: ${signedIn.stopped?.status} ${signedIn.stopped?.text}`);
  return signedIn.code;
}

function token(node, fields) {
  return postForm(`${node.baseUrl}/oauth/token`, { resource: RESOURCE, ...fields });
}

function exchange(node, client, code, verifier) {
  return token(node, { grant_type: 'authorization_code', client_id: client.client_id, code, redirect_uri: REDIRECT, code_verifier: verifier });
}

function refresh(node, client, refreshToken) {
  return token(node, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: refreshToken });
}

/** POSTs initialize to the node's /mcp with `accessToken`; the response. */
function initialize(node, accessToken) {
  return rawRequest(node.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cluster-oauth', version: '1' } } }),
  });
}

const acceptedOn = (node, accessToken) => async () => {
  const res = await initialize(node, accessToken);
  return res.status === 200 ? true : `${res.status} ${res.text}`;
};
const revokedOn = (node, accessToken) => async () => {
  const res = await initialize(node, accessToken);
  return res.status === 401 && /token has been revoked/.test(res.text) ? true : `${res.status} ${res.text}`;
};

describe('cluster mode: the OAuth authorization server on every node', { skip }, () => {
  test('registered and consented on A: exchanged and refreshed on B; a rotated refresh token reused on A revokes the family on both', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const client = await register(a);
    const { verifier, challenge } = pkce();
    const code = await consent(a, client, challenge);

    // The code is redeemed on B, once: a second try on A is a reuse.
    const first = await exchange(b, client, code, verifier);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.token_type, 'Bearer');
    await eventually('B to take the access token on /mcp', 10_000, acceptedOn(b, first.json.access_token));
    assert.equal((await initialize(a, first.json.access_token)).status, 200);

    // Refresh on B rotates; the new access token works on both nodes.
    const second = await refresh(b, client, first.json.refresh_token);
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.json.refresh_token, first.json.refresh_token);
    assert.equal((await initialize(a, second.json.access_token)).status, 200);

    // The retired refresh token again, on A: the whole family is revoked.
    const replay = await refresh(a, client, first.json.refresh_token);
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json.error, 'invalid_grant');
    const current = await refresh(b, client, second.json.refresh_token);
    assert.equal(current.json.error, 'invalid_grant', 'the current token went with its family, on B too');
    await eventually('A to refuse the family\'s access token', 10_000, revokedOn(a, second.json.access_token));
    await eventually('B to refuse the family\'s access token', 10_000, revokedOn(b, second.json.access_token));
  });

  test('a code works once across nodes: its reuse on A after B redeemed it revokes its grant', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const client = await register(b);
    const { verifier, challenge } = pkce();
    const code = await consent(a, client, challenge);
    const ok = await exchange(b, client, code, verifier);
    assert.equal(ok.status, 200, ok.text);
    const reused = await exchange(a, client, code, verifier);
    assert.equal(reused.json.error, 'invalid_grant');
    assert.match(reused.json.error_description, /already used/);
    await eventually('B to refuse what the code gave', 10_000, revokedOn(b, ok.json.access_token));
    assert.equal((await refresh(b, client, ok.json.refresh_token)).json.error, 'invalid_grant');
  });

  test('revoked at /oauth/revoke on A: refused on B, its stream there ended; `oauth clients|revoke --cluster`', async (t) => {
    const c = await startCluster({ t });
    c.user('add', ALICE.username, { password: ALICE.password });
    const { a, b } = c.nodes;
    const client = await register(a);
    const grant = async () => {
      const { verifier, challenge } = pkce();
      const code = await consent(b, client, challenge);
      const res = await exchange(a, client, code, verifier);
      assert.equal(res.status, 200, res.text);
      return res.json;
    };
    const tokens = await grant();
    const listed = oauthCommand(c, ['clients', '--user', ALICE.username]).stdout;
    assert.match(listed, new RegExp(`^${client.client_id}\tname=Cluster assistant\tscopes=[a-z,]+\tsince=\\S+\tgrants=1$`, 'm'));

    const session = new RawSession(b.mcpUrl, { token: tokens.access_token });
    await session.initialize();
    const stream = await session.openStream();
    assert.equal(stream.status, 200, stream.text);
    const revoked = await postForm(`${a.baseUrl}/oauth/revoke`, { token: tokens.refresh_token, client_id: client.client_id });
    assert.equal(revoked.status, 200, revoked.text);
    await eventually('B to refuse the revoked grant\'s access token', 10_000, revokedOn(b, tokens.access_token));
    await stream.waitForEnd();
    assert.equal((await refresh(b, client, tokens.refresh_token)).json.error, 'invalid_grant');
    assert.equal(oauthCommand(c, ['clients', '--user', ALICE.username]).stdout, '');

    // Consented again; `oauth revoke --cluster` ends it on both nodes.
    const again = await grant();
    await eventually('B to take the new grant\'s token', 10_000, acceptedOn(b, again.access_token));
    const out = oauthCommand(c, ['revoke', client.client_id, '--user', ALICE.username]).stdout;
    assert.match(out, /^Revoked client '[0-9a-f]+' of 'alice' \(1 grant\)\.$/m);
    await eventually('A to refuse the revoked client\'s token', 10_000, revokedOn(a, again.access_token));
    await eventually('B to refuse the revoked client\'s token', 10_000, revokedOn(b, again.access_token));
    oauthCommand(c, ['revoke', client.client_id, '--user', ALICE.username], { expectStatus: 1 });
    oauthCommand(c, ['clients', '--user', 'nobody'], { expectStatus: 1 });
  });
});

// Personal access tokens (issue 15 §3), against the real binary: `blender-bus
// token create|list|revoke` on the data dir beside a running server, and the
// same over HTTP (/auth/tokens) for the logged-in user. A token works as a
// bearer on /mcp (the official SDK), /auth/profile, the CLI and the stdio
// bridge; `list` never shows a secret; a revoked token is refused on its next
// request and the user's open streams end; an expired one is refused; a
// `metrics`-only token reads /metrics and nothing else.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import {
  RawSession, assertNoSanitizerReport, callToolJson, connectClient, login, rawRequest,
  sanitizerEnv, serverBin, startServer, trackChild,
} from './harness.mjs';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const BOB = { username: 'bob', password: 'bob-password-2' };
const ADMIN_PASSWORD = 'admin-password-for-pat-tests';
const PAT = /^bmcp_[A-Za-z0-9_-]{43}$/;
const UNKNOWN = { detail: 'Invalid token: unknown or revoked personal access token' };

/** `blender-bus token ...args --data-dir D`; the finished process. */
function tokenCommand(dataDir, args, { expectStatus = 0 } = {}) {
  const r = spawnSync(serverBin(), ['token', ...args, '--data-dir', dataDir],
    { encoding: 'utf8', env: { ...process.env, ...sanitizerEnv() }, timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, expectStatus, `token ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  assertNoSanitizerReport(r.stderr ?? '', 'token');
  return r;
}

/** The token `create` printed: its last line of stdout. */
function createdToken(r) {
  const lines = r.stdout.trimEnd().split('\n');
  const token = lines[lines.length - 1];
  assert.match(token, PAT);
  return token;
}

function bearer(token) {
  return { authorization: `Bearer ${token}` };
}

function profile(server, token) {
  return rawRequest(`${server.baseUrl}/auth/profile`, { headers: bearer(token) });
}

function tokensApi(server, token, { method = 'GET', name, body } = {}) {
  const url = `${server.baseUrl}/auth/tokens${name === undefined ? '' : `/${name}`}`;
  return rawRequest(url, {
    method,
    headers: { ...bearer(token), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** Polls `probe` until it returns true (a change another process made reaches the server within a second). */
async function eventually(probe, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`still not: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('personal access tokens', () => {
  let server;
  let tmp;
  before(async () => {
    server = await startServer({ users: [ALICE, BOB], env: { ADMIN_PASSWORD } });
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-pat-'));
  });
  after(async () => {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('`token create` beside the server: the token drives the bus through the official SDK and reads the profile', async () => {
    const r = tokenCommand(server.dataDir, ['create', 'laptop', '--user', 'alice']);
    const token = createdToken(r);
    await eventually(async () => (await profile(server, token)).status === 200, 'the server knows the new token');
    const me = await profile(server, token);
    assert.deepEqual(me.json, { user_id: 'alice', username: 'alice', roles: ['user'], scopes: ['read', 'write'] });

    const worker = await connectClient(server, { token });
    const assistant = await connectClient(server, { token: (await login(server, ALICE.username, ALICE.password)).access_token });
    try {
      const uuid = '7f0c7c3e-2a51-4d7e-9d0a-5f7c0a3b9e11';
      const [registered] = await callToolJson(worker.client, 'blender_register_client', { client_uuid: uuid, client_type: 'blender', client_name: 'pat-worker' });
      assert.equal(registered.status, 'ok', JSON.stringify(registered));
      const [listed] = await callToolJson(assistant.client, 'blender_list_available_clients', {});
      assert.ok([...listed.persistent, ...listed.ephemeral].some((c) => c.uuid === uuid), JSON.stringify(listed));
    } finally {
      await worker.close();
      await assistant.close();
    }
  });

  test('`token list` shows name, scopes, times and last use, never a secret; the HTTP list agrees', async () => {
    const token = createdToken(tokenCommand(server.dataDir, ['create', 'ci', '--user', 'bob', '--expires', '30d', '--scope', 'read']));
    await eventually(async () => (await profile(server, token)).status === 200, 'the server knows the token');
    const listed = tokenCommand(server.dataDir, ['list', '--user', 'bob']).stdout;
    assert.match(listed, /^ci\tscopes=read\tcreated=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\texpires=\d{4}-\d\d-\d\dT[\d:]+Z\tlast_used=/m);
    assert.ok(!listed.includes(token) && !listed.includes(token.slice(5, 20)), listed);

    const bobLogin = (await login(server, BOB.username, BOB.password)).access_token;
    const api = await tokensApi(server, bobLogin);
    assert.equal(api.status, 200, api.text);
    assert.equal(api.json.tokens.length, 1);
    const [entry] = api.json.tokens;
    assert.deepEqual(Object.keys(entry), ['name', 'scopes', 'created_at', 'expires_at', 'last_used_at']);
    assert.equal(entry.name, 'ci');
    assert.deepEqual(entry.scopes, ['read']);
    assert.equal(entry.expires_at - entry.created_at, 30 * 86400);
    assert.ok(!api.text.includes(token.slice(5)), api.text);
  });

  test('over HTTP: create (shown once), use, refuse duplicates and bad input, revoke; a token cannot manage tokens', async () => {
    const access = (await login(server, ALICE.username, ALICE.password)).access_token;
    const made = await tokensApi(server, access, { method: 'POST', body: { name: 'http-made', expires: '1d' } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.headers['cache-control'], 'no-store');
    assert.match(made.json.token, PAT);
    assert.equal(made.json.token_type, 'bearer');
    assert.equal(made.json.expires_at - made.json.created_at, 86400);
    const token = made.json.token;
    assert.equal((await profile(server, token)).status, 200, 'usable at once on the node that made it');

    const again = await tokensApi(server, access, { method: 'POST', body: { name: 'http-made' } });
    assert.equal(again.status, 409, again.text);
    for (const [body, detail] of [
      [{ name: 'a/b' }, /token name may hold only/],
      [{ name: 'x', expires: '90w' }, /expiry must be/],
      [{ name: 'x', scopes: ['admin'] }, /not one of the user's scopes/],
      [{ name: 'x', scopes: ['metrics'] }, /only an admin/],
      [{ name: 'x', scopes: 'read' }, /scopes must be a list/],
      [{}, /token name must be/],
    ]) {
      const r = await tokensApi(server, access, { method: 'POST', body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.detail, detail);
    }
    const byToken = await tokensApi(server, token, { method: 'POST', body: { name: 'minted' } });
    assert.equal(byToken.status, 403, byToken.text);
    assert.equal((await tokensApi(server, token)).status, 403);
    assert.equal((await tokensApi(server, token, { method: 'DELETE', name: 'http-made' })).status, 403);
    const logout = await rawRequest(`${server.baseUrl}/auth/logout`, { method: 'POST', headers: bearer(token) });
    assert.equal(logout.status, 400, logout.text);

    const revoked = await tokensApi(server, access, { method: 'DELETE', name: 'http-made' });
    assert.equal(revoked.status, 200, revoked.text);
    const refused = await profile(server, token);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.json, UNKNOWN);
    assert.equal((await tokensApi(server, access, { method: 'DELETE', name: 'http-made' })).status, 404);
    const bobs = await tokensApi(server, (await login(server, BOB.username, BOB.password)).access_token,
      { method: 'DELETE', name: 'laptop' });
    assert.equal(bobs.status, 404, "another user's token name is not found");
  });

  test('`token revoke` beside the server: the next request is refused and the open GET stream ends', async () => {
    const token = createdToken(tokenCommand(server.dataDir, ['create', 'to-revoke', '--user', 'alice']));
    await eventually(async () => (await profile(server, token)).status === 200, 'the server knows the token');
    const session = new RawSession(server.mcpUrl, { token });
    await session.initialize();
    const stream = await session.openStream();
    assert.equal(stream.status, 200, stream.text);

    tokenCommand(server.dataDir, ['revoke', 'to-revoke', '--user', 'alice']);
    await stream.waitForEnd();
    const res = await session.post({ jsonrpc: '2.0', id: session.nextId++, method: 'ping' });
    assert.equal(res.status, 401, res.text);
    assert.deepEqual(res.json, UNKNOWN);
    tokenCommand(server.dataDir, ['revoke', 'to-revoke', '--user', 'alice'], { expectStatus: 1 });
  });

  test('an expired token is refused; a forged one of the right shape is unknown', async () => {
    const token = createdToken(tokenCommand(server.dataDir, ['create', 'brief', '--user', 'alice', '--expires', '2s']));
    const started = Date.now();
    await eventually(async () => {
      const r = await profile(server, token);
      return r.status === 401 && r.json.detail === 'Invalid token: personal access token expired';
    }, 'the token expired', 15_000);
    assert.ok(Date.now() - started >= 1000, 'refused as expired only after its lifetime');
    const forged = await profile(server, `bmcp_${'A'.repeat(43)}`);
    assert.equal(forged.status, 401);
    assert.deepEqual(forged.json, UNKNOWN);
  });

  test('a `metrics` token (admins only) reads /metrics and is refused on /mcp and the profile', async () => {
    tokenCommand(server.dataDir, ['create', 'scrape', '--user', 'alice', '--scope', 'metrics'], { expectStatus: 1 });
    const token = createdToken(tokenCommand(server.dataDir, ['create', 'scraper', '--user', 'admin', '--scope', 'metrics']));
    await eventually(async () => (await rawRequest(`${server.baseUrl}/metrics`, { headers: bearer(token) })).status === 200,
      'the metrics token reads /metrics');
    const mcp = await rawRequest(server.mcpUrl, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    assert.equal(mcp.status, 403, mcp.text);
    assert.match(mcp.headers['www-authenticate'], /insufficient_scope/);
    assert.equal((await profile(server, token)).status, 403);
    // An admin's bus token without `metrics` does not read /metrics.
    const busToken = createdToken(tokenCommand(server.dataDir, ['create', 'admin-bus', '--user', 'admin']));
    await eventually(async () => (await profile(server, busToken)).status === 200, 'the server knows the token');
    assert.equal((await rawRequest(`${server.baseUrl}/metrics`, { headers: bearer(busToken) })).status, 403);
  });

  test('the CLI and the stdio bridge take a token file holding a personal access token', async () => {
    const token = createdToken(tokenCommand(server.dataDir, ['create', 'files', '--user', 'bob']));
    await eventually(async () => (await profile(server, token)).status === 200, 'the server knows the token');
    const tokenFile = path.join(tmp, 'pat');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });

    const cli = await new Promise((resolve, reject) => {
      const proc = trackChild(spawn(serverBin(), ['clients', '--server', server.baseUrl, '--token-file', tokenFile],
        { env: { ...process.env, ...sanitizerEnv(), XDG_CONFIG_HOME: tmp } }));
      let stdout = '';
      let stderr = '';
      proc.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
      proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
      proc.on('error', reject);
      proc.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(cli.code, 0, cli.stderr);

    const transport = new StdioClientTransport({
      command: serverBin(),
      args: ['stdio', '--connect', server.baseUrl, '--token-file', tokenFile],
      stderr: 'pipe',
      env: { ...sanitizerEnv(), XDG_CONFIG_HOME: tmp },
    });
    const client = new Client({ name: 'pat-bridge', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    try {
      const [listed] = await callToolJson(client, 'blender_list_available_clients', {});
      assert.equal(listed.status, 'ok', JSON.stringify(listed));
      assert.equal(listed.user_id, 'bob');
    } finally {
      await client.close();
    }
  });

  test('`user del` takes the user\'s tokens with them', async () => {
    const carol = { username: 'carol', password: 'carol-password-3' };
    spawnSync(serverBin(), ['user', 'add', carol.username, '--password-stdin', '--data-dir', server.dataDir],
      { input: carol.password, encoding: 'utf8' });
    const token = createdToken(tokenCommand(server.dataDir, ['create', 'gone', '--user', 'carol']));
    await eventually(async () => (await profile(server, token)).status === 200, 'the server knows the token');
    spawnSync(serverBin(), ['user', 'del', carol.username, '--data-dir', server.dataDir], { encoding: 'utf8' });
    await eventually(async () => (await profile(server, token)).status === 401, 'the deleted user\'s token is refused');
    tokenCommand(server.dataDir, ['list', '--user', 'carol'], { expectStatus: 1 });
  });
});

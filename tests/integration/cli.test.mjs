// The client commands (`login`, `clients`, `send`, `call`) as a user runs
// them: the real binary spawned against the real server with bearer auth,
// credentials under a temporary XDG_CONFIG_HOME. Each test asserts exit codes
// and exact fragments of what the user reads. (`send` to a real Blender
// worker is the e2e suite's.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  assertNoSanitizerReport, connectClient, login, sanitizerEnv, serverBin, startServer, toolJson,
} from './harness.mjs';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const USER = { username: 'carol', password: 'cli-test-password-1' };

/**
 * Runs `blender-bus ...args` with XDG_CONFIG_HOME = configHome; resolves with
 * { code, signal, stdout, stderr } once it exits (killed after timeoutMs).
 */
function runCli(args, { configHome, input = '', env = {}, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...sanitizerEnv(), XDG_CONFIG_HOME: configHome, ...env };
    delete childEnv.BLENDER_BUS_SERVER;
    const proc = spawn(serverBin(), args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`blender-bus ${args.join(' ')}: still running after ${timeoutMs} ms\nstderr:\n${stderr}`));
    }, timeoutMs);
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      assertNoSanitizerReport(stderr, `blender-bus ${args[0]}`);
      resolve({ code, signal, stdout, stderr });
    });
    proc.stdin.end(input);
  });
}

const credentialsFile = (configHome) => path.join(configHome, 'blender-bus', 'credentials.json');

/** A JWT with the given `exp`, signed with nothing the server knows. */
function forgedToken(sub, exp) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, username: sub, exp })}.${Buffer.from('forged').toString('base64url')}`;
}

/** Writes a credentials file as `login` would, with the given tokens. */
async function writeCredentials(configHome, fields) {
  await mkdir(path.join(configHome, 'blender-bus'), { recursive: true, mode: 0o700 });
  await writeFile(credentialsFile(configHome), JSON.stringify({ token_type: 'bearer', ...fields }), { mode: 0o600 });
}

describe('blender-bus client commands against the real server', () => {
  let server;
  let tmp;
  let n = 0;
  /** A fresh, empty config directory for one test. */
  const freshConfig = async () => {
    const dir = path.join(tmp, `config-${++n}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };

  before(async () => {
    server = await startServer({ users: [USER] });
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-cli-'));
  });
  after(async () => {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('login stores the tokens in $XDG_CONFIG_HOME/blender-bus/credentials.json, mode 0600', async () => {
    const config = await freshConfig();
    const r = await runCli(['login', '--server', server.baseUrl, '--username', USER.username, '--password-stdin'],
      { configHome: config, input: `${USER.password}\n` });
    const file = credentialsFile(config);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(`logged in to ${server.baseUrl} as ${USER.username}; credentials in ${file}`), r.stderr);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(stored.server, server.baseUrl);
    assert.equal(stored.username, USER.username);
    assert.equal(stored.token_type, 'bearer');
    assert.match(stored.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(stored.refresh_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);

    // The other commands use it: no --server, no --token-file.
    const listed = await runCli(['clients', '--json'], { configHome: config });
    assert.equal(listed.code, 0, listed.stderr);
    const body = JSON.parse(listed.stdout);
    assert.equal(body.status, 'ok');
    assert.equal(body.user_id, USER.username);
  });

  test('a bad password: exit 1, "refused: Invalid credentials", nothing stored', async () => {
    const config = await freshConfig();
    const r = await runCli(['login', '--server', server.baseUrl, '--username', USER.username, '--password-stdin'],
      { configHome: config, input: 'not-the-password\n' });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('blender-bus login: refused: Invalid credentials'), r.stderr);
    assert.equal(r.stdout, '');
    await assert.rejects(stat(credentialsFile(config)), { code: 'ENOENT' });
  });

  test('an expired access token is refreshed before use; the new tokens are written back', async () => {
    const config = await freshConfig();
    const tokens = await login(server, USER.username, USER.password);
    const expired = forgedToken(USER.username, Math.floor(Date.now() / 1000) - 60);
    await writeCredentials(config, {
      server: server.baseUrl, username: USER.username, access_token: expired, refresh_token: tokens.refresh_token,
    });
    const r = await runCli(['clients', '--json'], { configHome: config });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).user_id, USER.username);
    const stored = JSON.parse(await readFile(credentialsFile(config), 'utf8'));
    assert.notEqual(stored.access_token, expired);
    assert.notEqual(stored.refresh_token, tokens.refresh_token, 'the refresh token rotated');
    assert.equal((await stat(credentialsFile(config))).mode & 0o777, 0o600);
  });

  test('an access token the server refuses (401) is refreshed and the command retried', async () => {
    const config = await freshConfig();
    const tokens = await login(server, USER.username, USER.password);
    // Unexpired by its claims, so only the server's 401 can trigger the refresh.
    const refused = forgedToken(USER.username, Math.floor(Date.now() / 1000) + 3600);
    await writeCredentials(config, {
      server: server.baseUrl, username: USER.username, access_token: refused, refresh_token: tokens.refresh_token,
    });
    const r = await runCli(['clients', '--json'], { configHome: config });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).user_id, USER.username);
    assert.notEqual(JSON.parse(await readFile(credentialsFile(config), 'utf8')).access_token, refused);
  });

  test('a login that can no longer be refreshed: exit 1 with "log in again"', async () => {
    const config = await freshConfig();
    const now = Math.floor(Date.now() / 1000);
    await writeCredentials(config, {
      server: server.baseUrl, username: USER.username,
      access_token: forgedToken(USER.username, now - 60), refresh_token: forgedToken(USER.username, now + 3600),
    });
    const r = await runCli(['clients', '--json'], { configHome: config });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes('the stored login could not be refreshed (Invalid refresh token'), r.stderr);
    assert.ok(r.stderr.includes('log in again with `blender-bus login`'), r.stderr);
    assert.ok(r.stderr.includes('blender-bus clients: not authorized:'), r.stderr);
  });

  test('send to a target no client matches: exit 3 at once, naming the target', async () => {
    const config = await freshConfig();
    const tokens = await login(server, USER.username, USER.password);
    const tokenFile = path.join(tmp, 'send-token.json');
    await writeFile(tokenFile, JSON.stringify(tokens), { mode: 0o600 });
    // --timeout far beyond runCli's own limit: only an exit at once passes.
    const r = await runCli(['send', '--server', server.baseUrl, '--token-file', tokenFile,
      '--target', 'uuid:nobody', '--script', '-', '--timeout', '600'],
    { configHome: config, input: 'import bpy\nprint(len(bpy.data.objects))\n' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /blender-bus send: no client matches uuid:nobody: job-[0-9a-f-]{36} went to nobody \(`blender-bus clients` lists the clients\)/);
    assert.equal(r.stdout, '');
  });

  test('send with a malformed --target: exit 64 (usage), nothing sent', async () => {
    const config = await freshConfig();
    const r = await runCli(['send', '--server', server.baseUrl, '--target', 'host:x', '--script', '-'],
      { configHome: config });
    assert.equal(r.code, 64, r.stderr);
    assert.ok(r.stderr.includes("unknown target 'host:x': use uuid:X, group:X, type:X or broadcast"), r.stderr);
  });

  test('call blender_list_available_clients \'{}\' prints the JSON result', async () => {
    const config = await freshConfig();
    const tokens = await login(server, USER.username, USER.password);
    const tokenFile = path.join(tmp, 'call-token');
    await writeFile(tokenFile, `${tokens.access_token}\n`, { mode: 0o600 });  // a bare token file
    const r = await runCli(['call', '--server', server.baseUrl, '--token-file', tokenFile,
      'blender_list_available_clients', '{}'], { configHome: config });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 1, 'one JSON line');
    assert.deepEqual(JSON.parse(r.stdout), { status: 'ok', user_id: USER.username, persistent: [], ephemeral: [] });
  });

  test('call with arguments that are not JSON: exit 1, nothing sent', async () => {
    const config = await freshConfig();
    const r = await runCli(['call', '--server', server.baseUrl, 'blender_list_available_clients', '{oops'],
      { configHome: config });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('blender-bus call: the arguments are not JSON'), r.stderr);
  });

  test('no login and no token: exit 1, "not authorized: Bearer token required" and how to log in', async () => {
    const config = await freshConfig();
    const r = await runCli(['clients', '--server', server.baseUrl], { configHome: config });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('blender-bus clients: not authorized: Bearer token required'), r.stderr);
    assert.ok(r.stderr.includes('log in with `blender-bus login --server URL`, or pass --token-file'), r.stderr);
  });
});

// Who `send` waits for and how it names them (issue 17). The workers are
// official-SDK clients that answer every job_dispatch as a worker would; the
// listener hears jobs and never answers, like `blender-bus listen`.
describe('send: who it waits for, and replies labelled with their client', () => {
  const SENDER = { username: 'dave', password: 'cli-send-password-1' };
  let server;
  let tmp;
  let tokenFile;
  const peers = [];

  /** An SDK client registered on dave's bus; with `answers`, it answers jobs. */
  async function peer(registration, { answers }) {
    const { access_token: token } = await login(server, SENDER.username, SENDER.password);
    const conn = await connectClient(server, { token, name: registration.client_uuid });
    conn.client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
      const payload = n.params.data?.payload;
      if (!answers || payload?.message_type !== 'job_dispatch') return;
      await conn.client.callTool({ name: 'blender_job_update', arguments: {
        job_id: payload.job_id, status: 'completed', result: `ran on ${registration.client_uuid}\n` } });
    });
    await conn.streamOpened;
    const reg = toolJson(await conn.client.callTool({ name: 'blender_register_client', arguments: registration }));
    assert.equal(reg.status, 'ok', JSON.stringify(reg));
    peers.push(conn);
    return conn;
  }

  const send = (target, extra = []) => runCli(['send', '--server', server.baseUrl, '--token-file', tokenFile,
    '--target', target, '--script', '-', ...extra], { configHome: tmp, input: 'print("hi")\n' });

  before(async () => {
    server = await startServer({ users: [SENDER] });
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-send-'));
    tokenFile = path.join(tmp, 'token.json');
    await writeFile(tokenFile, JSON.stringify(await login(server, SENDER.username, SENDER.password)), { mode: 0o600 });
    const worker = (uuid, group) => ({ client_uuid: uuid, client_type: 'blender', is_persistent: false,
      capabilities: ['python_execution'], group_id: group });
    await peer(worker('worker-a', 'render'), { answers: true });
    await peer(worker('worker-b', 'bake'), { answers: true });
    await peer({ client_uuid: 'listener', client_type: 'blender', is_persistent: false, capabilities: [] },
      { answers: false });
  });
  after(async () => {
    for (const p of peers) await p.close();
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('a broadcast waits only for the clients that run jobs; each reply names its worker and group', async () => {
    const r = await send('broadcast');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sent job-\S+ to 3 client\(s\): worker-a \(group render\) worker-b \(group bake\) listener\n/);
    assert.ok(r.stderr.includes('waiting for the 2 that run jobs (1 without python_execution; --wait-all waits for every one)'), r.stderr);
    assert.match(r.stderr, /\[completed\] worker-a \(group render\): reply [12] of 2/);
    assert.match(r.stderr, /\[completed\] worker-b \(group bake\): reply [12] of 2/);
    // stdout: each result under its client's header.
    const blocks = r.stdout.split(/^==> /m).filter(Boolean).sort();
    assert.deepEqual(blocks, ['worker-a (group render) <==\nran on worker-a\n', 'worker-b (group bake) <==\nran on worker-b\n']);
  });

  test('a type send waits only for job runners too', async () => {
    const r = await send('type:blender');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes('waiting for the 2 that run jobs'), r.stderr);
  });

  test('--wait-all waits for the listener as well: exit 2, naming who did not answer', async () => {
    const r = await send('broadcast', ['--wait-all', '--timeout', '2']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /blender-bus send: timed out after 2 s: 2 of 3 clients answered job job-\S+; no answer from listener\n/);
  });

  test('one client: its result alone on stdout, the label on stderr', async () => {
    const r = await send('uuid:worker-b');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ran on worker-b\n');
    assert.match(r.stderr, /\[completed\] worker-b \(group bake\): reply 1 of 1/);
  });

  test('a direct send to a client that runs no jobs is still awaited (it was named)', async () => {
    const r = await send('uuid:listener', ['--timeout', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes('no answer from listener'), r.stderr);
  });
});

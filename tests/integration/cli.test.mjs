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

import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import {
  assertNoSanitizerReport, connectClient, login, sanitizerEnv, serverBin, startServer, toolJson, trackChild,
} from './harness.mjs';

const USER = { username: 'carol', password: 'cli-test-password-1' };

/**
 * Runs `blender-bus ...args` with XDG_CONFIG_HOME = configHome; resolves with
 * { code, signal, stdout, stderr } once it exits (killed after timeoutMs).
 * `input` goes to its stdin, which is then closed; a command that exits
 * without reading it all is no error here (its stdin is not ours to judge).
 * closeStdout: the read end of its stdout is closed at once, as when the
 * reader of a pipe goes away.
 */
function runCli(args, { configHome, input = '', env = {}, timeoutMs = 30_000, closeStdout = false } = {}) {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...sanitizerEnv(), XDG_CONFIG_HOME: configHome, ...env };
    delete childEnv.BLENDER_BUS_SERVER;
    const proc = trackChild(spawn(serverBin(), args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    if (closeStdout) proc.stdout.destroy();
    else proc.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
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
    // The command may exit before it read what we write (or never read
    // stdin): the pipe then breaks under our write, EPIPE, which is not a
    // failure of the test.
    proc.stdin.on('error', (e) => { if (e.code !== 'EPIPE') reject(e); });
    if (input) proc.stdin.end(input);
    else proc.stdin.end();
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

  test('a reader that goes away: the closed stdout is reported, exit 1, no SIGPIPE death', async () => {
    const config = await freshConfig();
    const tokens = await login(server, USER.username, USER.password);
    const tokenFile = path.join(tmp, 'closed-stdout-token');
    await writeFile(tokenFile, `${tokens.access_token}\n`, { mode: 0o600 });
    const r = await runCli(['call', '--server', server.baseUrl, '--token-file', tokenFile,
      'blender_list_available_clients', '{}'], { configHome: config, closeStdout: true });
    assert.equal(r.signal, null, `killed by ${r.signal}`);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes('blender-bus call: stdout was closed; the output is lost'), r.stderr);
  });

  test('send --script - with an empty or closed stdin sends nothing: exit 3 and why', async () => {
    const config = await freshConfig();
    const r = await runCli(['send', '--server', server.baseUrl, '--target', 'uuid:nobody', '--script', '-'],
      { configHome: config, input: '' });
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stderr.includes('blender-bus send: no script on stdin (it was empty or closed)'), r.stderr);
  });

  test('no login and no token: exit 1, "not authorized: Bearer token required" and how to log in', async () => {
    const config = await freshConfig();
    const r = await runCli(['clients', '--server', server.baseUrl], { configHome: config });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('blender-bus clients: not authorized: Bearer token required'), r.stderr);
    assert.ok(r.stderr.includes('log in with `blender-bus login --server URL`, or pass --token-file'), r.stderr);
  });
});

// The newer add-on's fields as the commands show them (issue 11): a fake
// Blender worker made of the official SDK client answers jobs and cancels.
describe('send, cancel and clients with the newer add-on\'s fields', () => {
  let server;
  let config;
  before(async () => {
    server = await startServer({ args: ['--auth', 'none'] });
    config = await mkdtemp(path.join(tmpdir(), 'blender-bus-cli-jobs-'));
  });
  after(async () => {
    await server?.stop();
    if (config) await rm(config, { recursive: true, force: true });
  });

  const cli = (args, opts = {}) => runCli([args[0], '--server', server.baseUrl, ...args.slice(1)],
    { configHome: config, ...opts });

  /**
   * A registered `blender` peer that hands each job_dispatch and job_cancel
   * it hears to `on.dispatch(payload)` / `on.cancel(payload)`.
   */
  async function fakeWorker(uuid, on = {}, { label } = {}) {
    const conn = await connectClient(server);
    conn.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      const payload = n.params.data?.payload;
      if (payload?.message_type === 'job_dispatch') on.dispatch?.(payload);
      if (payload?.message_type === 'job_cancel') on.cancel?.(payload);
    });
    await conn.streamOpened;
    await conn.client.callTool({ name: 'blender_register_client', arguments:
      { client_uuid: uuid, client_type: 'blender', is_persistent: true, ...(label ? { label } : {}) } });
    const update = (args) => conn.client.callTool({ name: 'blender_job_update', arguments: args });
    return { conn, update };
  }

  /** A promise of the next job_dispatch payload the worker hears, and the `on` to pass. */
  function nextDispatch() {
    let resolve;
    const job = new Promise((r) => { resolve = r; });
    return { job, dispatch: (p) => resolve(p) };
  }

  test('send prints each progress report on its running line', async () => {
    const worker = await fakeWorker('w-progress', { async dispatch(p) {
      await worker.update({ job_id: p.job_id, status: 'running', progress: 0.5, progress_message: 'frame 1 of 2' });
      await worker.update({ job_id: p.job_id, status: 'completed', result: 'rendered\n' });
    } });
    try {
      const r = await cli(['send', '--target', 'uuid:w-progress', '--script', '-', '--timeout', '20'], { input: 'pass\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'rendered\n');
      assert.match(r.stderr, /\[running\] w-progress 50% frame 1 of 2 \(0 of 1 answered\)\n/);
      assert.match(r.stderr, /\[completed\] w-progress: reply 1 of 1\n/);
    } finally { await worker.conn.close(); }
  });

  test('cancel a job that has not started: the worker answers cancelled, and send sees it', async () => {
    const seen = nextDispatch();
    const worker = await fakeWorker('w-queue', {
      dispatch: seen.dispatch,
      cancel: (p) => worker.update({ job_id: p.job_id, status: 'cancelled', error: 'cancelled before it started' }),
    });
    try {
      const sending = cli(['send', '--target', 'uuid:w-queue', '--script', '-', '--timeout', '20'], { input: 'pass\n' });
      const { job_id: jobId } = await seen.job;
      const r = await cli(['cancel', jobId, '--target', 'uuid:w-queue']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.includes(`asked 1 client(s) at client w-queue to cancel job ${jobId}\n`), r.stderr);
      assert.ok(r.stderr.includes(`job ${jobId} cancelled: cancelled before it started\n`), r.stderr);
      const sent = await sending;
      assert.equal(sent.code, 1, sent.stderr);  // send: cancelled is not completed
      assert.match(sent.stderr, /\[cancelled\] w-queue: reply 1 of 1\n/);
    } finally { await worker.conn.close(); }
  });

  test('cancel a running job: still running (exit 1), and once it ended: nothing to cancel', async () => {
    const seen = nextDispatch();
    const worker = await fakeWorker('w-busy', {
      async dispatch(p) {
        await worker.update({ job_id: p.job_id, status: 'running', progress: 0.1 });
        seen.dispatch(p);
      },
      cancel: (p) => worker.update({ job_id: p.job_id, status: 'running',
        progress_message: 'cancel refused: the script is already running' }),
    });
    try {
      const sending = cli(['send', '--target', 'uuid:w-busy', '--script', '-', '--timeout', '20'], { input: 'pass\n' });
      const { job_id: jobId } = await seen.job;
      const r = await cli(['cancel', jobId]);  // default target: type:blender
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`job ${jobId} is still running: cancel refused: the script is already running\n`), r.stderr);
      await worker.update({ job_id: jobId, status: 'completed', result: 'done\n' });
      assert.equal((await sending).code, 0);
      const late = await cli(['cancel', jobId]);
      assert.equal(late.code, 1, late.stderr);
      assert.ok(late.stderr.includes(`job ${jobId} had already ended (completed): nothing to cancel\n`), late.stderr);
    } finally { await worker.conn.close(); }
  });

  test('cancel with nobody at the target (exit 3) or nobody answering (exit 2)', async () => {
    const nobody = await cli(['cancel', 'job-x', '--target', 'uuid:nobody']);
    assert.equal(nobody.code, 3, nobody.stderr);
    assert.ok(nobody.stderr.includes('blender-bus cancel: no client at client nobody: nobody could cancel job job-x'), nobody.stderr);
    const silent = await fakeWorker('w-silent');
    try {
      const r = await cli(['cancel', 'job-y', '--target', 'uuid:w-silent', '--timeout', '1']);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes('blender-bus cancel: no answer about job job-y within 1 s'), r.stderr);
    } finally { await silent.conn.close(); }
  });

  test('clients shows each client\'s label', async () => {
    const worker = await fakeWorker('w-label', {}, { label: 'Studio PC' });
    try {
      const r = await cli(['clients']);
      assert.equal(r.code, 0, r.stderr);
      const [header, ...rows] = r.stdout.trimEnd().split('\n');
      assert.match(header, /^UUID +LABEL +TYPE +BUCKET +GROUP +ONLINE +CAPABILITIES +LAST SEEN$/);
      const row = rows.find((l) => l.startsWith('w-label '));
      assert.match(row ?? '', /^w-label +Studio PC +blender +persistent /, r.stdout);
    } finally { await worker.conn.close(); }
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

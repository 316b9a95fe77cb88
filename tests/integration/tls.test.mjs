// HTTPS on the server's own port (--tls-cert/--tls-key), with a throwaway CA
// made by the openssl command line: the official SDK client, the CLI and
// the stdio bridge over it, what a plain HTTP client or a broken handshake
// gets, and the start-up checks (a bad file names its flag; plain HTTP on a
// non-loopback address is warned about).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import {
  REPO_ROOT, RawSession, assertNoSanitizerReport, makeTestCertificate, parseRawResponse,
  rawConnection, rawRequest, sanitizerEnv, serverBin, startServer,
} from './harness.mjs';

const USER = { username: 'alice', password: 'tls-test-password-1' };
const NODE = process.execPath;

/** Runs the CLI to its end; returns { status, stdout, stderr }. */
function cli(args, { input, env = {} } = {}) {
  const r = spawnSync(serverBin(), args, {
    input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...sanitizerEnv(), ...env },
  });
  if (r.error) throw r.error;
  assertNoSanitizerReport(r.stderr ?? '', `blender-bus ${args[0]}`);
  return r;
}

/** Runs the SDK round trip program against `url` in its own Node process. */
function sdkRoundTrip(url, token, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [path.join(REPO_ROOT, 'tests/integration/programs/sdk-roundtrip.mjs'), url, token], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`sdk-roundtrip timed out:\n${stderr}`)); }, 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('a server with --tls-cert and --tls-key', () => {
  let server;
  let tmp;
  let cert;
  let token;
  let httpsUrl;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-tls-'));
    cert = await makeTestCertificate(tmp);
    server = await startServer({ users: [USER], args: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile] });
    // The certificate names localhost and 127.0.0.1; the server calls itself by its --host.
    httpsUrl = server.baseUrl;
    assert.match(httpsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await rawRequest(`${httpsUrl}/auth/login`, {
      method: 'POST', ca: cert.ca, headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER),
    });
    assert.equal(res.status, 200, res.text);
    token = res.json.access_token;
  });
  after(async () => {
    await server?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  test('the official SDK client, trusting the CA (NODE_EXTRA_CA_CERTS), registers, sends and receives over https', async () => {
    const r = await sdkRoundTrip(`${httpsUrl}/mcp`, token, { NODE_EXTRA_CA_CERTS: cert.caFile });
    assert.equal(r.code, 0, r.stderr);
    // The program's one line; the harness's test hooks may make node:test report after it.
    const { record } = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"record"')) ?? r.stdout);
    assert.equal(record.target_uuid, 'sdk-over-tls');
    assert.deepEqual(record.payload, { over: 'tls' });
  });

  test('the SDK client that does not trust the CA cannot connect', async () => {
    const r = await sdkRoundTrip(`${httpsUrl}/mcp`, token, { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /certificate|self[- ]signed|issuer/i);
  });

  test('the issuer and resource metadata say https', async () => {
    const res = await rawRequest(`${httpsUrl}/.well-known/oauth-protected-resource`, { ca: cert.ca });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.resource, `${httpsUrl}/mcp`);
  });

  test('an SSE stream over TLS carries many records, large ones included, in order', async () => {
    const s = new RawSession(`${httpsUrl}/mcp`, { token, ca: cert.ca });
    await s.initialize();
    await s.callToolJson('blender_register_client', { client_uuid: 'tls-reader', client_type: 'llm' });
    const stream = await s.openStream();
    assert.equal(stream.status, 200);
    // Every tenth record is larger than a TLS record (16 KiB) and than the
    // socket takes at once.
    const sizes = Array.from({ length: 40 }, (_, i) => (i % 10 === 9 ? 300_000 : 10 + i));
    for (const [i, size] of sizes.entries()) {
      const sent = await s.callToolJson('blender_send_message', { target_uuid: 'tls-reader', payload: { i, pad: 'p'.repeat(size) } });
      assert.deepEqual(sent.targets, ['tls-reader']);
    }
    const events = await stream.waitFor(sizes.length, 30_000);
    stream.close();
    assert.deepEqual(events.map((e) => e.json.params.data.payload.i), sizes.map((_, i) => i));
    assert.deepEqual(events.map((e) => e.json.params.data.payload.pad.length), sizes);
    await s.delete();
  });

  test('the CLI logs in and lists clients over https with --ca-file; without it, it refuses the certificate', async () => {
    const tokenFile = path.join(tmp, 'credentials.json');
    const base = `https://localhost:${server.port}`;
    let r = cli(['login', '--server', base, '--ca-file', cert.caFile, '--username', USER.username,
      '--password-stdin', '--token-file', tokenFile], { input: `${USER.password}\n` });
    assert.equal(r.status, 0, r.stderr);
    r = cli(['call', 'blender_list_available_clients', '{}', '--token-file', tokenFile, '--ca-file', cert.caFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).user_id, USER.username);
    // The same through the environment.
    r = cli(['clients', '--token-file', tokenFile], { env: { BLENDER_BUS_CA_FILE: cert.caFile } });
    assert.equal(r.status, 0, r.stderr);

    r = cli(['clients', '--token-file', tokenFile], { env: { SSL_CERT_FILE: path.join(tmp, 'no-such-bundle.pem') } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /certificate verify failed/);
    assert.match(r.stderr, /--ca-file/);
  });

  test('the stdio bridge forwards to an https server with --ca-file', async () => {
    const tokenFile = path.join(tmp, 'bridge-token');
    await writeFile(tokenFile, token);
    const transport = new StdioClientTransport({
      command: serverBin(),
      args: ['stdio', '--connect', `https://localhost:${server.port}`, '--token-file', tokenFile, '--ca-file', cert.caFile],
      stderr: 'pipe',
      env: { ...sanitizerEnv(), PATH: process.env.PATH },
    });
    let stderr = '';
    transport.stderr?.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const client = new Client({ name: 'tls-bridge', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    const result = await client.callTool({ name: 'blender_list_available_clients', arguments: {} });
    await client.close();
    assertNoSanitizerReport(stderr, 'blender-bus stdio --connect');
    assert.equal(JSON.parse(result.content[0].text).user_id, USER.username, stderr);
  });

  test('the stdio bridge reuses a connection the server closed while idle (TLS ends without close_notify)', async () => {
    // Its own server: one whose idle keep-alive connections close after 1 s.
    const quick = await startServer({
      users: [USER], args: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--header-timeout', '1'],
    });
    try {
      const tokenFile = path.join(tmp, 'quick-token');
      const res = await rawRequest(`${quick.baseUrl}/auth/login`, {
        method: 'POST', ca: cert.ca, headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER),
      });
      await writeFile(tokenFile, res.json.access_token);
      const transport = new StdioClientTransport({
        command: serverBin(),
        args: ['stdio', '--connect', `https://localhost:${quick.port}`, '--token-file', tokenFile, '--ca-file', cert.caFile],
        stderr: 'pipe',
        env: { ...sanitizerEnv(), PATH: process.env.PATH },
      });
      let stderr = '';
      transport.stderr?.setEncoding('utf8').on('data', (d) => { stderr += d; });
      const client = new Client({ name: 'tls-bridge-idle', version: '1.0.0' }, { capabilities: {} });
      await client.connect(transport);
      let result;
      try {
        await client.callTool({ name: 'blender_list_available_clients', arguments: {} });
        // Past the server's header timeout: it has closed the bridge's idle connection.
        await new Promise((r) => setTimeout(r, 2500));
        result = await client.callTool({ name: 'blender_list_available_clients', arguments: {} });
      } finally {
        await client.close();
      }
      assertNoSanitizerReport(stderr, 'blender-bus stdio --connect');
      assert.ok(!result.isError, `${JSON.stringify(result)}\n${stderr}`);
      assert.equal(JSON.parse(result.content[0].text).user_id, USER.username, stderr);
    } finally {
      await quick.stop();
    }
  });

  test('a plain HTTP request to the TLS port is answered 400 in plain text, and the server goes on', async () => {
    const res = await rawRequest(`http://127.0.0.1:${server.port}/health`);
    assert.equal(res.status, 400);
    assert.match(res.json.detail, /HTTPS/);
    const health = await rawRequest(`${httpsUrl}/health`, { ca: cert.ca });
    assert.equal(health.status, 200);
  });

  test('a broken handshake and a half-open one are closed, and the server goes on', async () => {
    // A TLS record header (handshake, TLS 1.0) followed by garbage.
    let conn = await rawConnection(server.port);
    await conn.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), Buffer.alloc(64, 0xab)]));
    await conn.waitForClose();
    // A record header and then nothing: the header deadline ends it (not
    // waited for here); the server serves others meanwhile.
    conn = await rawConnection(server.port);
    await conn.write(Buffer.from([0x16, 0x03, 0x01]));
    const health = await rawRequest(`${httpsUrl}/health`, { ca: cert.ca });
    assert.equal(health.status, 200);
    conn.destroy();
  });

  test('HTTP/1.1 keep-alive works over TLS: two requests on one connection', async () => {
    const conn = await rawConnection(server.port, { tls: { ca: cert.ca, servername: 'localhost' } });
    await conn.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await conn.waitFor((b) => parseRawResponse(b) !== undefined);
    const first = parseRawResponse(conn.received());
    await conn.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await conn.waitForClose();
    const second = parseRawResponse(parseRawResponse(conn.received()).rest);
    assert.equal(first.status, 200);
    assert.equal(second?.status, 200);
  });
});

describe('TLS at start', () => {
  let tmp;
  let cert;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-tls-start-'));
    cert = await makeTestCertificate(tmp);
  });
  after(async () => { await rm(tmp, { recursive: true, force: true }); });

  /** Starts `serve` expecting it to fail; returns { status, stderr }. */
  function serveFails(args) {
    const r = spawnSync(serverBin(), ['serve', '--port', '0', '--data-dir', path.join(tmp, 'data'), ...args], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...sanitizerEnv() },
    });
    if (r.error) throw r.error;
    assert.notEqual(r.status, 0, `serve ${args.join(' ')} started:\n${r.stderr}`);
    return r;
  }

  test('a missing or unreadable certificate names --tls-cert', async () => {
    let r = serveFails(['--tls-cert', path.join(tmp, 'missing.pem'), '--tls-key', cert.keyFile]);
    assert.match(r.stderr, /--tls-cert .*missing\.pem/);
    const junk = path.join(tmp, 'junk.pem');
    await writeFile(junk, 'not a certificate\n');
    r = serveFails(['--tls-cert', junk, '--tls-key', cert.keyFile]);
    assert.match(r.stderr, /--tls-cert .*junk\.pem/);
  });

  test('a bad key, or one that does not match the certificate, names --tls-key', async () => {
    let r = serveFails(['--tls-cert', cert.certFile, '--tls-key', cert.certFile]);
    assert.match(r.stderr, /--tls-key /);
    // The CA's key is a valid key, but not the certificate's.
    r = serveFails(['--tls-cert', cert.certFile, '--tls-key', path.join(tmp, 'ca.key')]);
    assert.match(r.stderr, /--tls-key .*does not match/);
  });

  test('one flag without the other is refused', () => {
    const r = serveFails(['--tls-cert', cert.certFile]);
    assert.match(r.stderr, /--tls-key/);
  });

  test('plain HTTP on a non-loopback address warns, naming --tls-cert and --tls-key; HTTPS there does not', async () => {
    let server = await startServer({ host: '0.0.0.0', users: [USER] });
    await server.stop();
    let warnings = server.stderr().split('\n').filter((l) => /plain HTTP on 0\.0\.0\.0/.test(l));
    assert.equal(warnings.length, 1, server.stderr());
    assert.match(warnings[0], /--tls-cert FILE --tls-key FILE/);

    server = await startServer({ host: '0.0.0.0', users: [USER], args: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile] });
    const health = await rawRequest(`https://127.0.0.1:${server.port}/health`, { ca: cert.ca });
    await server.stop();
    assert.equal(health.status, 200);
    warnings = server.stderr().split('\n').filter((l) => /plain HTTP/.test(l));
    assert.deepEqual(warnings, []);
  });

  test('a loopback server without TLS does not warn', async () => {
    const server = await startServer({ args: ['--auth', 'none'] });
    await server.stop();
    assert.doesNotMatch(server.stderr(), /plain HTTP on/);
  });
});


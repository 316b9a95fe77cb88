// `blender-bus stdio --connect URL`: the stdio bridge, driven by the official
// SDK's StdioClientTransport (as a desktop assistant would launch it) against
// the real HTTP server. The bridge must give a stdio client the bus tools under
// its token's identity, pass the bus's records on, refresh a refused token and
// end its session when stdin closes.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import {
  assertNoSanitizerReport, callToolJson, collectMessages, connectClient, login, sanitizerEnv,
  serverBin, startServer,
} from './harness.mjs';

const BUS_TOOLS = [
  'blender_register_client',
  'blender_unregister_client',
  'blender_send_message',
  'blender_job_update',
  'blender_list_available_clients',
];
const USER = { username: 'alice', password: 'bridge-test-password-1' };

/**
 * Launches `blender-bus stdio --connect URL ...args` through the SDK's stdio
 * transport and connects a Client. Returns { client, stderr(), errors, close() };
 * close() closes stdin (the SDK's close) and resolves with the exit.
 */
async function launchBridge(url, { args = [], configHome }) {
  const transport = new StdioClientTransport({
    command: serverBin(),
    args: ['stdio', '--connect', url, ...args],
    stderr: 'pipe',
    env: { ...sanitizerEnv(), XDG_CONFIG_HOME: configHome },
  });
  let stderr = '';
  transport.stderr?.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const client = new Client({ name: 'blender-bus-bridge-test', version: '1.0.0' }, { capabilities: {} });
  // Anything on stdout that is not a JSON-RPC line shows up here.
  const errors = [];
  client.onerror = (e) => errors.push(e);
  await client.connect(transport);
  return {
    client,
    errors,
    stderr: () => stderr,
    async close() {
      const proc = transport._process;
      const exited = proc && proc.exitCode === null
        ? new Promise((r) => proc.once('close', (code, signal) => r({ code, signal })))
        : Promise.resolve({ code: proc?.exitCode, signal: proc?.signalCode });
      await client.close();
      const exit = await exited;
      assertNoSanitizerReport(stderr, 'blender-bus stdio --connect');
      return exit;
    },
  };
}

/** A JWT the server must refuse (bad signature) that the client still thinks valid for an hour. */
function forgedAccessToken(sub) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, username: sub, exp })}.${Buffer.from('not-the-signature').toString('base64url')}`;
}

describe('stdio bridge with bearer auth', () => {
  let server;
  let tmp;
  before(async () => {
    server = await startServer({ users: [USER] });
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-bridge-'));
  });
  after(async () => {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('gives a stdio client the bus tools; a record sent over HTTP arrives through it; stdin EOF ends the session', async () => {
    const tokens = await login(server, USER.username, USER.password);
    const tokenFile = path.join(tmp, 'token-a.json');
    await writeFile(tokenFile, JSON.stringify(tokens), { mode: 0o600 });
    const bridge = await launchBridge(server.baseUrl, { args: ['--token-file', tokenFile], configHome: tmp });
    const http = await connectClient(server, { token: tokens.access_token });
    let closed = false;
    try {
      assert.equal(bridge.client.getServerVersion()?.name, 'blender-bus');
      const { tools } = await bridge.client.listTools();
      const names = tools.map((t) => t.name);
      for (const n of BUS_TOOLS) assert.ok(names.includes(n), `${n} missing from ${JSON.stringify(names)}`);
      assert.deepEqual(await bridge.client.ping(), {});

      const [registered] = await callToolJson(bridge.client, 'blender_register_client', {
        client_uuid: 'bridge-llm', client_type: 'llm',
      });
      assert.equal(registered.status, 'ok');
      assert.equal(registered.client.uuid, 'bridge-llm');

      // The bridge acts as alice: an HTTP client of alice's sees it on her bus.
      const [listed] = await callToolJson(http.client, 'blender_list_available_clients');
      assert.equal(listed.user_id, 'alice');
      assert.deepEqual(listed.ephemeral.map((c) => c.uuid), ['bridge-llm']);

      const inbox = collectMessages(bridge.client);
      const [sent] = await callToolJson(http.client, 'blender_send_message', {
        target_uuid: 'bridge-llm', payload: { kind: 'hello', n: 7 }, priority: 'notice', from_uuid: 'http-peer',
      });
      assert.deepEqual(sent.targets, ['bridge-llm']);
      const [record] = await inbox.waitFor(1, { logger: '_message_bus' });
      assert.equal(record.level, 'notice');
      assert.equal(record.data.user_id, 'alice');
      assert.equal(record.data.from_uuid, 'http-peer');
      assert.equal(record.data.target_uuid, 'bridge-llm');
      assert.deepEqual(record.data.routing, { type: 'direct', target_uuid: 'bridge-llm' });
      assert.deepEqual(record.data.payload, { kind: 'hello', n: 7 });
      assert.equal(record.data.message_id, sent.message_id);
      assert.equal(record.data.priority, 5);

      const exit = await bridge.close();
      closed = true;
      assert.deepEqual(exit, { code: 0, signal: null }, `bridge exit\n${bridge.stderr()}`);
      assert.deepEqual(bridge.errors, []);
      // stdin EOF ended the session (DELETE), so its ephemeral client left with it.
      const [after] = await callToolJson(http.client, 'blender_list_available_clients');
      assert.deepEqual(after.ephemeral.map((c) => c.uuid), []);
    } finally {
      if (!closed) await bridge.close();
      await http.close();
    }
  });

  test('a refused access token is refreshed (and written back) and the call goes through', async () => {
    const tokens = await login(server, USER.username, USER.password);
    const tokenFile = path.join(tmp, 'token-b.json');
    const forged = forgedAccessToken(USER.username);
    await writeFile(tokenFile, JSON.stringify({
      access_token: forged, refresh_token: tokens.refresh_token, token_type: 'bearer',
    }), { mode: 0o600 });
    const bridge = await launchBridge(server.baseUrl, { args: ['--token-file', tokenFile], configHome: tmp });
    try {
      const [listed] = await callToolJson(bridge.client, 'blender_list_available_clients');
      assert.equal(listed.user_id, 'alice');
      const stored = JSON.parse(await readFile(tokenFile, 'utf8'));
      assert.notEqual(stored.access_token, forged);
      assert.notEqual(stored.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    } finally {
      const exit = await bridge.close();
      assert.deepEqual(exit, { code: 0, signal: null }, `bridge exit\n${bridge.stderr()}`);
    }
  });

  test('without a token the bus refuses, and the client gets an error instead of a hang', async () => {
    const transport = new StdioClientTransport({
      command: serverBin(),
      args: ['stdio', '--connect', server.baseUrl],
      stderr: 'pipe',
      env: { ...sanitizerEnv(), XDG_CONFIG_HOME: tmp },
    });
    let stderr = '';
    transport.stderr?.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const client = new Client({ name: 'blender-bus-bridge-test', version: '1.0.0' }, { capabilities: {} });
    await assert.rejects(client.connect(transport), (e) => {
      assert.match(e.message, /blender-bus bridge: not authorized: Bearer token required/);
      return true;
    });
    await client.close();
    assertNoSanitizerReport(stderr, 'blender-bus stdio --connect');
  });
});

describe('stdio bridge to a server with --auth none', () => {
  let server;
  let tmp;
  before(async () => {
    server = await startServer({ args: ['--auth', 'none'] });
    tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-bridge-'));
  });
  after(async () => {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('no --token-file needed: tools, and a broadcast from another client arrives', async () => {
    const bridge = await launchBridge(server.baseUrl, { configHome: tmp });
    const http = await connectClient(server);
    try {
      const { tools } = await bridge.client.listTools();
      for (const n of BUS_TOOLS) assert.ok(tools.some((t) => t.name === n), `${n} missing`);
      await callToolJson(bridge.client, 'blender_register_client', {
        client_uuid: 'bridge-blender', client_type: 'blender', group_id: 'g1',
      });
      const inbox = collectMessages(bridge.client);
      const [sent] = await callToolJson(http.client, 'blender_send_message', {
        group_id: 'g1', payload: { message_type: 'job_dispatch', job_id: 'job-1', script: 'print(1)' },
      });
      assert.deepEqual(sent.targets, ['bridge-blender']);
      const [record] = await inbox.waitFor(1, { logger: '_message_bus' });
      assert.equal(record.data.user_id, 'local');
      assert.deepEqual(record.data.routing, { type: 'group', group_id: 'g1' });
      assert.equal(record.data.job_id, 'job-1');
      assert.deepEqual(bridge.errors, []);
    } finally {
      const exit = await bridge.close();
      await http.close();
      assert.deepEqual(exit, { code: 0, signal: null }, `bridge exit\n${bridge.stderr()}`);
    }
  });

  test('SIGTERM ends the bridge cleanly: exit 0 and its session (with its ephemeral client) ended', async () => {
    const bridge = await launchBridge(server.baseUrl, { configHome: tmp });
    const http = await connectClient(server);
    try {
      await callToolJson(bridge.client, 'blender_register_client', { client_uuid: 'bridge-term', client_type: 'llm' });
      const [before] = await callToolJson(http.client, 'blender_list_available_clients');
      assert.ok(before.ephemeral.some((c) => c.uuid === 'bridge-term'));
      const proc = bridge.client.transport._process;
      const exited = new Promise((r) => proc.once('close', (code, signal) => r({ code, signal })));
      proc.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null }, `bridge exit\n${bridge.stderr()}`);
      assertNoSanitizerReport(bridge.stderr(), 'blender-bus stdio --connect');
      const [after] = await callToolJson(http.client, 'blender_list_available_clients');
      assert.ok(!after.ephemeral.some((c) => c.uuid === 'bridge-term'), JSON.stringify(after));
    } finally {
      await bridge.client.close();
      await http.close();
    }
  });

  test('a server that is not there: initialize fails with a readable error', async () => {
    // A port nobody listens on: the server's, after it stops, would race; use
    // a fresh server's port once it has gone.
    const gone = await startServer({ args: ['--auth', 'none'] });
    const url = gone.baseUrl;
    await gone.stop();
    const transport = new StdioClientTransport({
      command: serverBin(),
      args: ['stdio', '--connect', url],
      stderr: 'pipe',
      env: { ...sanitizerEnv(), XDG_CONFIG_HOME: tmp },
    });
    const client = new Client({ name: 'blender-bus-bridge-test', version: '1.0.0' }, { capabilities: {} });
    await assert.rejects(client.connect(transport), /blender-bus bridge: cannot reach the bus: .*refused/i);
    await client.close();
  });
});

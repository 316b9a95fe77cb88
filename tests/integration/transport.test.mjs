// Streamable HTTP transport (SPEC §3) with the official SDK client and plain
// HTTP, against one real server started with --auth none.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  ACCEPT_BOTH, RawSession, collectMessages, connectClient, rawRequest, startServer, toolJson,
} from './harness.mjs';

const BUS_TOOLS = [
  'blender_job_update',
  'blender_list_available_clients',
  'blender_register_client',
  'blender_send_message',
  'blender_unregister_client',
];
const VERSIONS = ['2025-03-26', '2025-06-18', '2025-11-25'];

let server;
before(async () => { server = await startServer({ args: ['--auth', 'none'] }); });
after(async () => { await server?.stop(); });

describe('lifecycle with the official client (@modelcontextprotocol/sdk 1.32)', () => {
  test('connects: serverInfo, capabilities, instructions, a random session id', async () => {
    const c = await connectClient(server);
    try {
      const info = c.client.getServerVersion();
      assert.equal(typeof info?.name, 'string');
      assert.ok(info.name.length > 0);
      assert.equal(typeof info.version, 'string');
      const caps = c.client.getServerCapabilities();
      for (const k of ['tools', 'resources', 'prompts', 'logging']) assert.ok(caps?.[k], `capability ${k} missing: ${JSON.stringify(caps)}`);
      const instructions = c.client.getInstructions();
      assert.equal(typeof instructions, 'string');
      assert.match(instructions, /blender_/, 'instructions should tell an assistant how to use the bus tools');
      // The SDK offers its newest version first; the server echoes it.
      assert.equal(c.transport.protocolVersion, '2025-11-25');
      // Session ids: visible ASCII only (MCP), and long enough to be unguessable.
      assert.match(c.sessionId, /^[\x21-\x7e]{16,}$/);
      const other = await connectClient(server);
      assert.notEqual(other.sessionId, c.sessionId);
      await other.close();
    } finally {
      await c.close();
    }
  });

  test('lists tools: each has a name, a description and an object inputSchema; the five bus tools are there', async () => {
    const c = await connectClient(server);
    try {
      const { tools } = await c.client.listTools();
      assert.ok(Array.isArray(tools));
      for (const t of tools) {
        assert.equal(typeof t.name, 'string');
        assert.equal(typeof t.description, 'string', `${t.name}: description`);
        assert.equal(t.inputSchema?.type, 'object', `${t.name}: inputSchema ${JSON.stringify(t.inputSchema)}`);
      }
      const names = tools.map((t) => t.name);
      for (const n of BUS_TOOLS) assert.ok(names.includes(n), `${n} missing from ${JSON.stringify(names)}`);
    } finally {
      await c.close();
    }
  });

  test('ping answers {}', async () => {
    const c = await connectClient(server);
    try {
      assert.deepEqual(await c.client.ping(), {});
    } finally {
      await c.close();
    }
  });

  test('logging/setLevel answers {} for every level', async () => {
    const c = await connectClient(server);
    try {
      for (const level of ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']) {
        assert.deepEqual(await c.client.setLoggingLevel(level), {}, level);
      }
    } finally {
      await c.close();
    }
  });

  test('an unknown method answers -32601', async () => {
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    const r = await s.request('no/such/method', {});
    assert.equal(r.error?.code, -32601, JSON.stringify(r));
    await s.delete();
  });
});

describe('version negotiation and framing (plain HTTP)', () => {
  for (const v of VERSIONS) {
    test(`a requested ${v} is echoed`, async () => {
      const s = new RawSession(server.mcpUrl, { protocolVersion: v });
      const result = await s.initialize();
      assert.equal(result.protocolVersion, v);
      assert.deepEqual(await s.request('ping'), { jsonrpc: '2.0', id: 2, result: {} });
      await s.delete();
    });
  }

  test('an unsupported requested version is answered with the newest (2025-11-25)', async () => {
    const s = new RawSession(server.mcpUrl, { protocolVersion: '2024-11-05' });
    const result = await s.initialize();
    assert.equal(result.protocolVersion, '2025-11-25');
    await s.delete();
  });

  test('a notification is answered 202 with no body', async () => {
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    const res = await s.notify('notifications/cancelled', { requestId: 999, reason: 'test' });
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
    await s.delete();
  });

  test('a request is answered as JSON when Accept allows only JSON, as SSE when only SSE', async () => {
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    const asJson = await s.post({ jsonrpc: '2.0', id: 'j', method: 'ping' }, { headers: { accept: 'application/json' } });
    assert.equal(asJson.status, 200);
    assert.match(String(asJson.headers['content-type']), /^application\/json/);
    assert.deepEqual(asJson.json, { jsonrpc: '2.0', id: 'j', result: {} });

    const asSse = await s.post({ jsonrpc: '2.0', id: 's', method: 'ping' }, { headers: { accept: 'text/event-stream' } });
    assert.equal(asSse.status, 200);
    assert.match(String(asSse.headers['content-type']), /^text\/event-stream/);
    assert.deepEqual(asSse.messages, [{ jsonrpc: '2.0', id: 's', result: {} }]);
    await s.delete();
  });

  test('/mcp/ is served directly, never redirected', async () => {
    const s = new RawSession(`${server.mcpUrl}/`);
    await s.initialize();
    assert.deepEqual((await s.request('ping')).result, {});
    await s.delete();
  });

  test('a JSON-RPC batch is accepted under 2025-03-26', async () => {
    const s = new RawSession(server.mcpUrl, { protocolVersion: '2025-03-26' });
    await s.initialize();
    const res = await s.post([
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', id: 'b', method: 'ping' },
    ]);
    assert.equal(res.status, 200, res.text);
    const byId = Object.fromEntries((Array.isArray(res.json) ? res.json : res.messages).map((m) => [m.id, m]));
    assert.deepEqual(byId.a?.result, {});
    assert.deepEqual(byId.b?.result, {});
    await s.delete();
  });

  test('DELETE ends the session; a request on it afterwards is 404', async () => {
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    const del = await s.delete();
    assert.ok(del.status >= 200 && del.status < 300, `DELETE: ${del.status} ${del.text}`);
    const res = await s.post({ jsonrpc: '2.0', id: 9, method: 'ping' });
    assert.equal(res.status, 404, res.text);
  });

  test('DELETE through the official client ends the session (404 afterwards)', async () => {
    const c = await connectClient(server);
    const id = c.sessionId;
    await c.transport.terminateSession();
    await c.client.close();
    const res = await rawRequest(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(res.status, 404, res.text);
  });

  test('a second GET stream replaces the first (the first is ended)', async () => {
    const s = new RawSession(server.mcpUrl);
    await s.initialize();
    const first = await s.openStream();
    assert.equal(first.status, 200, first.text);
    const second = await s.openStream();
    assert.equal(second.status, 200, second.text);
    await first.waitForEnd();
    second.close();
    await s.delete();
  });
});

// Server pushes need something that pushes: the bus (SPEC §5, §7). Register
// client X on session A, send to X from session B; A's GET stream carries the
// notifications/message record.
describe('server-pushed notifications on the GET stream', () => {
  test('a record sent to a client arrives on its session\'s GET stream (official client)', async () => {
    const a = await connectClient(server, { name: 'receiver' });
    const b = await connectClient(server, { name: 'sender' });
    try {
      const inbox = collectMessages(a.client);
      await a.streamOpened;
      const x = randomUUID();
      const reg = toolJson(await a.client.callTool({ name: 'blender_register_client', arguments: { client_uuid: x, client_type: 'llm' } }));
      assert.equal(reg.status, 'ok', JSON.stringify(reg));
      const sent = toolJson(await b.client.callTool({ name: 'blender_send_message', arguments: { target_uuid: x, payload: { hello: 'world' } } }));
      assert.equal(sent.status, 'ok', JSON.stringify(sent));
      assert.deepEqual(sent.targets, [x]);
      const [rec] = await inbox.waitFor(1, { logger: '_message_bus' });
      assert.equal(rec.level, 'info');
      assert.equal(rec.data.target_uuid, x);
      assert.deepEqual(rec.data.payload, { hello: 'world' });
      assert.deepEqual(rec.data.routing, { type: 'direct', target_uuid: x });
      assert.equal(rec.data.message_id, sent.message_id);
      assert.equal(rec.data.priority, 6);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('reconnecting with Last-Event-ID replays exactly the missed events', async () => {
    const a = new RawSession(server.mcpUrl);
    await a.initialize();
    const sender = new RawSession(server.mcpUrl);
    await sender.initialize();
    const x = randomUUID();
    assert.equal((await a.callToolJson('blender_register_client', { client_uuid: x, client_type: 'llm' })).status, 'ok');
    const send = async (n) => {
      const r = await sender.callToolJson('blender_send_message', { target_uuid: x, payload: { n } });
      assert.deepEqual(r.targets, [x], JSON.stringify(r));
    };
    const seq = (e) => e.json?.params?.data?.payload?.n;

    const s1 = await a.openStream();
    assert.equal(s1.status, 200, s1.text);
    await send(1);
    await send(2);
    const got1 = await s1.waitFor(2);
    assert.deepEqual(got1.map(seq), [1, 2]);
    for (const e of got1) {
      assert.equal(e.json.method, 'notifications/message');
      assert.ok(e.id, 'every pushed event carries an id');
    }
    assert.notEqual(got1[0].id, got1[1].id);
    const resumeFrom = got1[1].id;
    s1.close();

    // Sent while no stream is open: they wait for the reconnect.
    await send(3);
    await send(4);
    await send(5);

    const s2 = await a.openStream({ lastEventId: resumeFrom });
    assert.equal(s2.status, 200, s2.text);
    await s2.waitFor(3);
    // A marker sent after the replay shows nothing else came in between.
    await send(6);
    const all = await s2.waitFor(4);
    assert.deepEqual(all.map(seq), [3, 4, 5, 6], `replay after ${resumeFrom}: ${JSON.stringify(all.map((e) => e.data))}`);
    const ids = new Set([...got1, ...all].map((e) => e.id));
    assert.equal(ids.size, 6, 'event ids are unique within the session');
    s2.close();
    await a.delete();
    await sender.delete();
  });
});

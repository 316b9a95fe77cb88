// MCP 2026-07-28 (the per-request era) beside the 2025 sessions on one /mcp:
// the official v2 client (@modelcontextprotocol/client 2.4) pinned to
// 2026-07-28 and in auto mode, the v1 SDK 1.32 on the other end, and raw
// requests for what a well-behaved client never sends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ACCEPT_BOTH, collectMessages, connectClient, login, rawRequest, startServer, toolJson,
} from './harness.mjs';
import { INBOX, MODERN, collect, modernClient, v2Json } from './modern-client.mjs';

const USERS = [{ username: 'alice', password: 'alice-password-1' }, { username: 'bob', password: 'bob-password-1' }];

function envelope(extra = {}) {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'blender-bus-modern-test', version: '1.0.0' },
    ...extra,
  };
}

/** One modern POST as the revision wants it; `headers` overrides (undefined removes). */
async function modernPost(server, token, message, { headers = {}, onData } = {}) {
  const h = {
    'content-type': 'application/json',
    accept: ACCEPT_BOTH,
    'mcp-protocol-version': MODERN,
    authorization: `Bearer ${token}`,
  };
  if (message.method) h['mcp-method'] = message.method;
  const name = message.params?.name ?? message.params?.uri;
  if (name !== undefined && ['tools/call', 'prompts/get', 'resources/read'].includes(message.method)) {
    h['mcp-name'] = name;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete h[k.toLowerCase()];
    else h[k.toLowerCase()] = v;
  }
  const body = typeof message === 'string' ? message : JSON.stringify(message);
  return rawRequest(server.mcpUrl, { method: 'POST', headers: h, body, onData });
}

function call(id, name, args, meta = envelope()) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { _meta: meta, name, arguments: args } };
}

let server;
const tokens = {};
before(async () => {
  server = await startServer({ users: USERS });
  for (const u of USERS) tokens[u.username] = (await login(server, u.username, u.password)).access_token;
});
after(async () => { await server?.stop(); });

describe('the v2 client in the modern era', () => {
  for (const mode of [{ pin: MODERN }, 'auto']) {
    test(`${JSON.stringify(mode)}: discovers, lists with caching hints, calls a tool`, async () => {
      const { client, close } = await modernClient(server, tokens.alice, mode);
      try {
        assert.equal(client.getProtocolEra(), 'modern');
        assert.equal(client.getServerVersion().name, 'blender-bus');
        assert.match(client.getInstructions() ?? '', /blender_register_client/);
        const { tools } = await client.listTools();
        assert.ok(tools.some((t) => t.name === 'blender_send_message'));
        const result = await client.callTool({ name: 'blender_register_client',
          arguments: { client_uuid: `v2-${JSON.stringify(mode).length}`, client_type: 'llm' } });
        assert.equal(toolJson(result).status, 'ok');
        const { resources } = await client.listResources();
        assert.ok(resources.length > 0);
        const read = await client.readResource({ uri: 'blender://bus/clients' });
        assert.ok(JSON.parse(read.contents[0].text));
      } finally {
        await close();
      }
    });
  }

  test('a 2025 client on the same server still gets a session and its stream', async () => {
    const legacy = await connectClient(server, { token: tokens.alice });
    try {
      assert.ok(legacy.sessionId);
      await legacy.streamOpened;
      const { tools } = await legacy.client.listTools();
      assert.ok(tools.length > 0);
    } finally {
      await legacy.close();
    }
  });
});

describe('the wire of a modern request', () => {
  test('server/discover: versions, honoured capabilities, serverInfo in _meta, caching hints', async () => {
    const res = await modernPost(server, tokens.alice,
      { jsonrpc: '2.0', id: 'd1', method: 'server/discover', params: { _meta: envelope() } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['mcp-session-id'], undefined);
    const { id, result } = res.json;
    assert.equal(id, 'd1');
    assert.equal(result.resultType, 'complete');
    assert.deepEqual(result.supportedVersions, [MODERN]);
    assert.ok(result.capabilities.tools && result.capabilities.prompts && result.capabilities.logging);
    assert.equal(result._meta['io.modelcontextprotocol/serverInfo'].name, 'blender-bus');
    assert.equal(result.serverInfo, undefined);
    assert.ok(Number.isInteger(result.ttlMs) && result.ttlMs >= 0);
    assert.equal(result.cacheScope, 'public');
  });

  test('every result has resultType and serverInfo; reads are private and never fresh', async () => {
    const list = await modernPost(server, tokens.alice,
      { jsonrpc: '2.0', id: 1, method: 'prompts/list', params: { _meta: envelope() } });
    assert.equal(list.json.result.resultType, 'complete');
    assert.equal(list.json.result.cacheScope, 'public');
    const read = await modernPost(server, tokens.alice, { jsonrpc: '2.0', id: 2, method: 'resources/read',
      params: { _meta: envelope(), uri: 'blender://bus/clients' } });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.result.ttlMs, 0);
    assert.equal(read.json.result.cacheScope, 'private');
    const called = await modernPost(server, tokens.alice, call(3, 'blender_list_available_clients', {}));
    assert.equal(called.json.result.resultType, 'complete');
    assert.equal(called.json.result._meta['io.modelcontextprotocol/serverInfo'].name, 'blender-bus');
    assert.equal(JSON.parse(called.json.result.content[0].text).status, 'ok');
  });

  test('an unknown resource is -32602 with data.uri, in-band', async () => {
    const uri = 'blender://bus/nothing-here';
    const res = await modernPost(server, tokens.alice,
      { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { _meta: envelope(), uri } });
    assert.equal(res.status, 200);
    assert.equal(res.json.error.code, -32602);
    assert.deepEqual(res.json.error.data, { uri });
  });

  for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'completion/complete', 'no/such']) {
    test(`${method} is not served: 404 with -32601 and the request's id`, async () => {
      const res = await modernPost(server, tokens.alice,
        { jsonrpc: '2.0', id: 500, method, params: { _meta: envelope() } });
      assert.equal(res.status, 404, res.text);
      assert.equal(res.json.id, 500);
      assert.equal(res.json.error.code, -32601);
    });
  }

  test('a notification is accepted with 202 and no body', async () => {
    const res = await modernPost(server, tokens.alice, { jsonrpc: '2.0', method: 'notifications/cancelled',
      params: { _meta: envelope(), requestId: 'listen:0' } }, { headers: { 'mcp-method': undefined } });
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
  });
});

describe('bad modern input gets the revision\'s error and delivers nothing', () => {
  let legacy;
  let inbox;
  before(async () => {
    legacy = await connectClient(server, { token: tokens.alice });
    inbox = collectMessages(legacy.client);
    const reg = await legacy.client.callTool({ name: 'blender_register_client',
      arguments: { client_uuid: 'legacy-receiver', client_type: 'blender' } });
    assert.equal(toolJson(reg).status, 'ok');
    await legacy.streamOpened;
  });
  after(async () => { await legacy?.close(); });

  const send = (id, label, meta) =>
    call(id, 'blender_send_message', { target_uuid: 'legacy-receiver', payload: { label } }, meta);

  const cases = [
    ['no _meta at all', (id) => ({ ...send(id, 'no-meta'), params: { name: 'blender_send_message',
      arguments: { target_uuid: 'legacy-receiver', payload: { label: 'no-meta' } } } }), {}, 400, -32602],
    ['_meta without clientCapabilities', (id) => {
      const meta = envelope();
      delete meta['io.modelcontextprotocol/clientCapabilities'];
      return send(id, 'no-caps', meta);
    }, {}, 400, -32602],
    ['an unknown logLevel', (id) => send(id, 'bad-level', envelope({ 'io.modelcontextprotocol/logLevel': 'loud' })), {}, 400, -32602],
    ['_meta contradicting the header', (id) => send(id, 'contradiction',
      envelope({ 'io.modelcontextprotocol/protocolVersion': '2025-11-25' })), {}, 400, -32020],
    ['an Mcp-Method that is not the body\'s', (id) => send(id, 'method-mismatch'), { 'mcp-method': 'tools/list' }, 400, -32020],
    ['no Mcp-Method', (id) => send(id, 'no-method'), { 'mcp-method': undefined }, 400, -32020],
    ['an Mcp-Name that is not the tool', (id) => send(id, 'name-mismatch'), { 'mcp-name': 'blender_job_update' }, 400, -32020],
    ['no Mcp-Name', (id) => send(id, 'no-name'), { 'mcp-name': undefined }, 400, -32020],
    ['no MCP-Protocol-Version', (id) => send(id, 'no-version'), { 'mcp-protocol-version': undefined }, 400, -32020],
    ['an unknown version', (id) => send(id, 'unknown-version',
      envelope({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' })), { 'mcp-protocol-version': '2099-01-01' }, 400, -32022],
  ];
  let nextId = 900;
  for (const [what, build, headers, status, code] of cases) {
    test(what, async () => {
      const id = nextId++;
      const res = await modernPost(server, tokens.alice, build(id), { headers });
      assert.equal(res.status, status, res.text);
      assert.equal(res.json.error.code, code, res.text);
      assert.equal(res.json.id, id);
      if (code === -32022) {
        assert.deepEqual(res.json.error.data, { supported: [MODERN], requested: '2099-01-01' });
      }
    });
  }

  test('a batch, or a body that is no JSON, under a modern header: 400 without an id', async () => {
    const batch = await modernPost(server, tokens.alice, JSON.stringify([send(1, 'batched')]),
      { headers: { 'mcp-method': 'tools/call', 'mcp-name': 'blender_send_message' } });
    assert.equal(batch.status, 400);
    assert.equal(batch.json.error.code, -32600);
    assert.ok(!('id' in batch.json));
    const garbage = await modernPost(server, tokens.alice, '{"jsonrpc":', { headers: { 'mcp-method': 'tools/call' } });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json.error.code, -32700);
    assert.ok(!('id' in garbage.json));
  });

  test('a modern header without a modern _meta is never served as a session request', async () => {
    const res = await modernPost(server, tokens.alice, { jsonrpc: '2.0', id: 7, method: 'tools/list' },
      { headers: { 'mcp-session-id': legacy.sessionId } });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, -32602);
    const get = await rawRequest(server.mcpUrl, { headers: { accept: 'text/event-stream',
      'mcp-protocol-version': MODERN, authorization: `Bearer ${tokens.alice}` } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
  });

  test('no bearer is 401 in this era too', async () => {
    const res = await modernPost(server, 'not-a-token',
      { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } });
    assert.equal(res.status, 401);
  });

  test('after all of that, only the well-formed send arrives', async () => {
    const ok = await modernPost(server, tokens.alice, send(1000, 'well-formed'));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(JSON.parse(ok.json.result.content[0].text).status, 'ok');
    const [first] = await inbox.waitFor(1, { logger: '_message_bus' });
    assert.equal(first.data.payload.label, 'well-formed');
    assert.deepEqual(inbox.bus().map((r) => r.data.payload.label), ['well-formed']);
  });
});

async function legacySend(legacy, target, payload, extra = {}) {
  const result = await legacy.client.callTool({ name: 'blender_send_message',
    arguments: { target_uuid: target, payload, ...extra } });
  assert.equal(toolJson(result).status, 'ok', JSON.stringify(result));
}

describe('the bus for modern clients', () => {
  for (const mode of [{ pin: MODERN }, 'auto']) {
    const tag = typeof mode === 'string' ? mode : 'pin';
    test(`${tag}: register, listen on the inbox, then read it (coalesced updates)`, async () => {
      const uuid = `reader-${tag}`;
      const modern = await modernClient(server, tokens.alice, mode);
      const legacy = await connectClient(server, { token: tokens.alice });
      try {
        assert.equal((await v2Json(modern.client, 'blender_register_client',
          { client_uuid: uuid, client_type: 'llm' })).status, 'ok');
        const updates = collect(modern.client, 'notifications/resources/updated');
        const sub = await modern.client.listen({ resourceSubscriptions: [INBOX + uuid] });
        assert.deepEqual(sub.honoredFilter.resourceSubscriptions, [INBOX + uuid]);
        await legacySend(legacy, uuid, { n: 1 });
        await legacySend(legacy, uuid, { n: 2 });
        const [first] = await updates.waitFor(1);
        assert.equal(first.uri, INBOX + uuid);
        const read = await modern.client.readResource({ uri: INBOX + uuid });
        const inbox = JSON.parse(read.contents[0].text);
        assert.deepEqual(inbox.messages.map((m) => m.payload.n), [1, 2]);
        assert.equal(inbox.messages[0].target_uuid, uuid);
        assert.equal(inbox.messages[0].routing.type, 'direct');
        // Two records before the read told once; a record after it is told again.
        assert.equal(updates.got.length, 1);
        await legacySend(legacy, uuid, { n: 3 });
        await updates.waitFor(2);
        // The pull acknowledges through `after` and returns what follows.
        const pulled = await v2Json(modern.client, 'blender_receive_messages',
          { client_uuid: uuid, after: inbox.next });
        assert.deepEqual(pulled.messages.map((m) => m.payload.n), [3]);
        await sub.close();
      } finally {
        await legacy.close();
        await modern.close();
      }
    });
  }

  test('a streaming receive delivers each record live, as notifications/message, and returns next', async () => {
    const uuid = 'streamer';
    const modern = await modernClient(server, tokens.alice, { pin: MODERN });
    const legacy = await connectClient(server, { token: tokens.alice });
    try {
      await v2Json(modern.client, 'blender_register_client', { client_uuid: uuid, client_type: 'llm' });
      const messages = collect(modern.client, 'notifications/message');
      const call = modern.client.callTool({ name: 'blender_receive_messages',
        arguments: { client_uuid: uuid, wait_seconds: 4 },
        _meta: { 'io.modelcontextprotocol/logLevel': 'debug' } });
      await legacySend(legacy, uuid, { live: 1 });
      const [live] = await messages.waitFor(1);
      // The record arrived while the call still waits.
      assert.equal(live.logger, '_message_bus');
      assert.equal(live.data.payload.live, 1);
      await legacySend(legacy, uuid, { live: 2 }, { priority: 'debug' });
      await messages.waitFor(2);
      const done = toolJson(await call);
      assert.deepEqual(done.messages, []);
      assert.ok(done.next > 0);
      assert.deepEqual(messages.got.map((m) => m.data.payload.live), [1, 2]);
      assert.deepEqual(messages.got.map((m) => m.level), ['info', 'debug']);
      // Without a logLevel the same call streams nothing: it long-polls as before.
      await legacySend(legacy, uuid, { live: 3 });
      const polled = toolJson(await modern.client.callTool({ name: 'blender_receive_messages',
        arguments: { client_uuid: uuid, after: done.next, wait_seconds: 2 } }));
      assert.deepEqual(polled.messages.map((m) => m.payload.live), [3]);
      assert.equal(messages.got.length, 2);
    } finally {
      await legacy.close();
      await modern.close();
    }
  });

  test('a modern assistant sends a job to a legacy Blender client, and the update comes back', async () => {
    const modern = await modernClient(server, tokens.alice, { pin: MODERN });
    const blender = await connectClient(server, { token: tokens.alice });
    try {
      const worker = collectMessages(blender.client);
      await blender.client.callTool({ name: 'blender_register_client', arguments: {
        client_uuid: 'blender-worker', client_type: 'blender', capabilities: ['python_execution'] } });
      await blender.streamOpened;
      await v2Json(modern.client, 'blender_register_client', { client_uuid: 'assistant', client_type: 'llm' });
      const sent = await v2Json(modern.client, 'blender_send_message', { from_uuid: 'assistant',
        client_type: 'blender',
        payload: { message_type: 'job_dispatch', job_id: 'job-cross-era', script: 'print(1)' } });
      assert.equal(sent.status, 'ok');
      const [job] = await worker.waitFor(1, { logger: '_message_bus' });
      assert.equal(job.data.payload.job_id, 'job-cross-era');
      assert.equal(job.data.from_uuid, 'assistant');
      await blender.client.callTool({ name: 'blender_job_update',
        arguments: { job_id: 'job-cross-era', status: 'completed', result: '1' } });
      const back = await v2Json(modern.client, 'blender_receive_messages',
        { client_uuid: 'assistant', wait_seconds: 5 });
      const update = back.messages.find((m) => m.payload.kind === 'job_update');
      assert.equal(update.payload.status, 'completed');
      assert.equal(update.payload.result, '1');
      // A legacy broadcast reaches the modern client's inbox too.
      const bcast = await blender.client.callTool({ name: 'blender_send_message',
        arguments: { payload: { hello: 'everyone' } } });
      assert.equal(toolJson(bcast).status, 'ok');
      const heard = await v2Json(modern.client, 'blender_receive_messages',
        { client_uuid: 'assistant', after: back.next, wait_seconds: 5 });
      assert.equal(heard.messages[0].payload.hello, 'everyone');
      assert.equal(heard.messages[0].routing.type, 'broadcast');
    } finally {
      await blender.close();
      await modern.close();
    }
  });

  test('replay: a cut streaming receive loses nothing, `after` resumes it', async () => {
    const uuid = 'replayer';
    const modern = await modernClient(server, tokens.alice, { pin: MODERN });
    const legacy = await connectClient(server, { token: tokens.alice });
    try {
      await v2Json(modern.client, 'blender_register_client', { client_uuid: uuid, client_type: 'llm' });
      const start = await v2Json(modern.client, 'blender_receive_messages', { client_uuid: uuid });
      // A raw streaming receive, cut after its first record.
      const abort = new AbortController();
      const res = fetch(server.mcpUrl, { method: 'POST', signal: abort.signal, headers: {
        'content-type': 'application/json', accept: ACCEPT_BOTH, authorization: `Bearer ${tokens.alice}`,
        'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'blender_receive_messages',
      }, body: JSON.stringify(call(1, 'blender_receive_messages',
        { client_uuid: uuid, after: start.next, wait_seconds: 20 },
        envelope({ 'io.modelcontextprotocol/logLevel': 'info' }))) }).catch((e) => e);
      const sending = legacySend(legacy, uuid, { cut: 1 });
      const response = await res;
      assert.equal(response.status, 200);
      const reader = response.body.getReader();
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      assert.match(text, /"cut":1/);
      assert.doesNotMatch(text, /^id:/m);
      abort.abort();
      await sending;
      await legacySend(legacy, uuid, { cut: 2 });
      const again = await v2Json(modern.client, 'blender_receive_messages', { client_uuid: uuid, after: start.next });
      assert.deepEqual(again.messages.map((m) => m.payload.cut), [1, 2]);
      const rest = await v2Json(modern.client, 'blender_receive_messages', { client_uuid: uuid, after: again.next });
      assert.deepEqual(rest.messages, []);
    } finally {
      await legacy.close();
      await modern.close();
    }
  });

  test('isolation: another user\'s inbox cannot be listened to, read or pulled', async () => {
    const alice = await modernClient(server, tokens.alice, { pin: MODERN });
    const bob = await modernClient(server, tokens.bob, { pin: MODERN });
    try {
      await v2Json(alice.client, 'blender_register_client', { client_uuid: 'alice-only', client_type: 'llm' });
      await assert.rejects(bob.client.listen({ resourceSubscriptions: [INBOX + 'alice-only'] }),
        (e) => e.code === -32602);
      const raw = await modernPost(server, tokens.bob, { jsonrpc: '2.0', id: 'listen:9',
        method: 'subscriptions/listen',
        params: { _meta: envelope(), notifications: { resourceSubscriptions: [INBOX + 'alice-only'] } } });
      assert.equal(raw.status, 200);
      assert.equal(raw.json.id, 'listen:9');
      assert.equal(raw.json.error.code, -32602);
      assert.deepEqual(raw.json.error.data, { uri: INBOX + 'alice-only' });
      await assert.rejects(bob.client.readResource({ uri: INBOX + 'alice-only' }), (e) => e.code === -32602);
      const pulled = await v2Json(bob.client, 'blender_receive_messages', { client_uuid: 'alice-only' });
      assert.equal(pulled.error, 'client_not_found');
      // Bob's sends never reach Alice's client.
      const sent = await v2Json(bob.client, 'blender_send_message', { target_uuid: 'alice-only', payload: {} });
      assert.deepEqual(sent.targets, []);
      const mine = await v2Json(alice.client, 'blender_receive_messages', { client_uuid: 'alice-only' });
      assert.deepEqual(mine.messages, []);
    } finally {
      await bob.close();
      await alice.close();
    }
  });

  test('presence: online while a listen is open, offline after it closes', async () => {
    const modern = await modernClient(server, tokens.alice, { pin: MODERN });
    const online = async () => {
      const list = await v2Json(modern.client, 'blender_list_available_clients', {});
      return list.ephemeral.find((c) => c.uuid === 'present').online;
    };
    try {
      await v2Json(modern.client, 'blender_register_client', { client_uuid: 'present', client_type: 'llm' });
      assert.equal(await online(), false);
      const sub = await modern.client.listen({ resourceSubscriptions: [INBOX + 'present'] });
      assert.equal(await online(), true);
      await sub.close();
      for (let i = 0; i < 100 && await online(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await online(), false);
    } finally {
      await modern.close();
    }
  });
});

describe('--modern-presence-timeout', () => {
  test('an ephemeral modern client with no channel leaves the bus; a persistent one stays', async () => {
    const quick = await startServer({ args: ['--auth', 'none', '--modern-presence-timeout', '1'] });
    const modern = await modernClient(quick, 'unused', { pin: MODERN });
    try {
      await v2Json(modern.client, 'blender_register_client', { client_uuid: 'fleeting', client_type: 'llm' });
      await v2Json(modern.client, 'blender_register_client',
        { client_uuid: 'lasting', client_type: 'llm', is_persistent: true });
      const uuids = async () => {
        const list = await v2Json(modern.client, 'blender_list_available_clients', {});
        return [...list.persistent, ...list.ephemeral].map((c) => c.uuid).sort();
      };
      for (let i = 0; i < 200 && (await uuids()).includes('fleeting'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await uuids(), ['lasting']);
    } finally {
      await modern.close();
      await quick.stop();
    }
  });
});

describe('shutdown', () => {
  test('SIGTERM ends an open listen with its result (graceful), not a cut socket', async () => {
    const ending = await startServer({ args: ['--auth', 'none'] });
    let stopped;
    const modern = await modernClient(ending, 'unused', { pin: MODERN });
    try {
      await v2Json(modern.client, 'blender_register_client', { client_uuid: 'until-shutdown', client_type: 'llm' });
      const sub = await modern.client.listen({ resourceSubscriptions: [INBOX + 'until-shutdown'] });
      // The raw stream too: its last event is the listen's result, tagged.
      let acked;
      const ack = new Promise((resolve) => { acked = resolve; });
      const raw = modernPost(ending, 'unused', { jsonrpc: '2.0', id: 'raw-listen', method: 'subscriptions/listen',
        params: { _meta: envelope(), notifications: { resourceSubscriptions: [INBOX + 'until-shutdown'] } } },
      { onData: (text) => { if (text.includes('acknowledged')) acked(); } });
      await ack;
      stopped = ending.stop();
      assert.equal(await sub.closed, 'graceful');
      const messages = (await raw).events.map((e) => JSON.parse(e.data));
      assert.equal(messages[0].method, 'notifications/subscriptions/acknowledged');
      const last = messages.at(-1);
      assert.equal(last.id, 'raw-listen');
      assert.equal(last.result.resultType, 'complete');
      assert.equal(last.result._meta['io.modelcontextprotocol/subscriptionId'], 'raw-listen');
      assert.equal(last.result._meta['io.modelcontextprotocol/serverInfo'].name, 'blender-bus');
    } finally {
      await modern.close().catch(() => {});
      // One SIGTERM only: a second one could land after the server's handler is gone.
      await (stopped ?? ending.stop());
    }
  });
});

describe('the tasks extension (a Blender job as a task)', () => {
  const TASKS = 'io.modelcontextprotocol/tasks';
  const withTasks = () => envelope({ 'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } } });
  const taskCall = (id, method, taskId, meta = withTasks(), extra = {}) =>
    ({ jsonrpc: '2.0', id, method, params: { _meta: meta, taskId, ...extra } });
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
  const post = (message, token = tokens.alice) => modernPost(server, token, message, {
    headers: message.params?.taskId !== undefined ? { 'mcp-name': message.params.taskId } : {} });

  /** A legacy Blender worker and a modern assistant on alice's bus. */
  async function workerAndAssistant(worker, assistant) {
    const blender = await connectClient(server, { token: tokens.alice });
    const jobs = collectMessages(blender.client);
    await blender.client.callTool({ name: 'blender_register_client', arguments: {
      client_uuid: worker, client_type: 'blender', capabilities: ['python_execution'] } });
    await blender.streamOpened;
    const registered = await post(call(1, 'blender_register_client', { client_uuid: assistant, client_type: 'llm' }));
    assert.equal(JSON.parse(registered.json.result.content[0].text).status, 'ok');
    const update = (args) => blender.client.callTool({ name: 'blender_job_update', arguments: args });
    return { blender, jobs, update };
  }
  const dispatch = (id, jobId, target, from, meta = withTasks()) => call(id, 'blender_send_message',
    { target_uuid: target, from_uuid: from, payload: { message_type: 'job_dispatch', job_id: jobId, script: 'print(1)' } }, meta);

  test('discover offers the extension', async () => {
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } });
    assert.deepEqual(res.json.result.capabilities.extensions, { [TASKS]: {} });
    assert.equal(res.json.result.capabilities.tasks, undefined);
  });

  for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
    test(`${method} without the extension declared: 400 with -32021 naming it`, async () => {
      const res = await post(taskCall(7, method, 'gate-test', envelope(), method === 'tasks/update' ? { inputResponses: {} } : {}));
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.id, 7);
      assert.equal(res.json.error.code, -32021);
      assert.deepEqual(res.json.error.data, { requiredCapabilities: { extensions: { [TASKS]: {} } } });
    });
  }

  test('a listen for taskIds without the extension: 400 with -32021, before any ack', async () => {
    const res = await post({ jsonrpc: '2.0', id: 'listen-tasks', method: 'subscriptions/listen',
      params: { _meta: envelope(), notifications: { taskIds: ['any'] } } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.id, 'listen-tasks');
    assert.equal(res.json.error.code, -32021);
  });

  test('tasks/result and tasks/list are not methods of the extension: 404 with -32601', async () => {
    for (const method of ['tasks/result', 'tasks/list']) {
      const res = await post({ jsonrpc: '2.0', id: 9, method, params: { _meta: withTasks() } });
      assert.equal(res.status, 404, `${method}: ${res.text}`);
      assert.equal(res.json.error.code, -32601);
    }
  });

  test('a job dispatch is a task that follows the job: working, then completed with the result', async () => {
    const { blender, jobs, update } = await workerAndAssistant('task-worker', 'task-assistant');
    try {
      const created = await post(dispatch(2, 'task-job-1', 'task-worker', 'task-assistant'));
      assert.equal(created.status, 200, created.text);
      const task = created.json.result;
      assert.equal(task.resultType, 'task');
      assert.equal(task.taskId, 'task-job-1');
      assert.equal(task.status, 'working');
      assert.match(task.createdAt, ISO);
      assert.match(task.lastUpdatedAt, ISO);
      assert.ok(Number.isInteger(task.pollIntervalMs) && task.pollIntervalMs > 0);
      assert.ok('ttlMs' in task);
      assert.equal(task.task, undefined);
      assert.equal(task.content, undefined);
      assert.equal(task._meta['io.modelcontextprotocol/serverInfo'].name, 'blender-bus');
      const [job] = await jobs.waitFor(1, { logger: '_message_bus' });
      assert.equal(job.data.payload.job_id, 'task-job-1');

      await update({ job_id: 'task-job-1', status: 'running', progress: 0.5, progress_message: 'half way' });
      const working = (await post(taskCall(3, 'tasks/get', 'task-job-1'))).json.result;
      assert.equal(working.resultType, 'complete');
      assert.equal(working.status, 'working');
      assert.equal(working.statusMessage, 'half way');
      assert.equal(working.result, undefined);

      await update({ job_id: 'task-job-1', status: 'completed', result: '42' });
      const done = (await post(taskCall(4, 'tasks/get', 'task-job-1'))).json.result;
      assert.equal(done.status, 'completed');
      assert.notEqual(done.result.isError, true);
      const answer = JSON.parse(done.result.content[0].text);
      assert.equal(answer.job_status, 'completed');
      assert.equal(answer.result, '42');
      assert.equal(done.result.structuredContent.result, done.result.content[0].text);
      // Ended: a cancel changes nothing and is acknowledged all the same.
      const ack = await post(taskCall(5, 'tasks/cancel', 'task-job-1'));
      assert.deepEqual(Object.keys(ack.json.result).sort(), ['_meta', 'resultType']);
      assert.equal((await post(taskCall(6, 'tasks/get', 'task-job-1'))).json.result.status, 'completed');
    } finally {
      await blender.close();
    }
  });

  test('a failed job is a completed task with isError; a cancelled one is cancelled, and its originator is told', async () => {
    const { blender, update } = await workerAndAssistant('task-worker-2', 'task-assistant-2');
    try {
      await post(dispatch(2, 'task-fails', 'task-worker-2', 'task-assistant-2'));
      await update({ job_id: 'task-fails', status: 'failed', error: 'NameError: bpy' });
      const failed = (await post(taskCall(3, 'tasks/get', 'task-fails'))).json.result;
      assert.equal(failed.status, 'completed');
      assert.equal(failed.result.isError, true);
      assert.equal(JSON.parse(failed.result.content[0].text).error, 'NameError: bpy');

      await post(dispatch(4, 'task-cancelled', 'task-worker-2', 'task-assistant-2'));
      const ack = await post(taskCall(5, 'tasks/cancel', 'task-cancelled'));
      assert.equal(ack.status, 200, ack.text);
      assert.equal(ack.json.result.resultType, 'complete');
      const cancelled = (await post(taskCall(6, 'tasks/get', 'task-cancelled'))).json.result;
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.result, undefined);
      const inbox = await post(call(7, 'blender_receive_messages', { client_uuid: 'task-assistant-2' }));
      const told = JSON.parse(inbox.json.result.content[0].text).messages
        .filter((m) => m.payload.kind === 'job_update').map((m) => [m.payload.job_id, m.payload.status]);
      assert.deepEqual(told, [['task-fails', 'failed'], ['task-cancelled', 'cancelled']]);
    } finally {
      await blender.close();
    }
  });

  test('without the extension the same send answers at once; other sends are never tasks', async () => {
    const { blender } = await workerAndAssistant('task-worker-3', 'task-assistant-3');
    try {
      const plain = await post(dispatch(2, 'not-a-task', 'task-worker-3', 'task-assistant-3', envelope()));
      assert.equal(plain.json.result.resultType, 'complete');
      assert.equal(plain.json.result.taskId, undefined);
      assert.equal(JSON.parse(plain.json.result.content[0].text).status, 'ok');
      const message = await post(call(3, 'blender_send_message',
        { target_uuid: 'task-worker-3', payload: { hello: 1 } }, withTasks()));
      assert.equal(message.json.result.resultType, 'complete');
      // A job nobody receives opens no task.
      const nobody = await post(dispatch(4, 'to-nobody', 'absent', 'task-assistant-3'));
      assert.equal(nobody.json.result.resultType, 'complete');
    } finally {
      await blender.close();
    }
  });

  test('an unknown task, or another user\'s, is -32602; a missing taskId too', async () => {
    const { blender } = await workerAndAssistant('task-worker-4', 'task-assistant-4');
    try {
      await post(dispatch(2, 'alices-task', 'task-worker-4', 'task-assistant-4'));
      for (const [token, taskId] of [[tokens.alice, 'no-such-task'], [tokens.bob, 'alices-task']]) {
        for (const method of ['tasks/get', 'tasks/cancel']) {
          const res = await post(taskCall(3, method, taskId), token);
          assert.equal(res.status, 200, res.text);
          assert.equal(res.json.error.code, -32602, `${method} ${taskId}`);
        }
      }
      const missing = await post({ jsonrpc: '2.0', id: 4, method: 'tasks/get', params: { _meta: withTasks() } });
      assert.equal(missing.json.error.code, -32602);
      assert.equal((await post(taskCall(5, 'tasks/get', 'alices-task'))).json.result.status, 'working');
    } finally {
      await blender.close();
    }
  });

  test('the official v2 client: -32021 as its MissingRequiredClientCapabilityError; with the extension, it polls a task', async () => {
    // tasks/* are extension methods: request() takes them with a result
    // schema (a pass-through one here).
    const anyResult = { '~standard': { version: 1, vendor: 'blender-bus-test', validate: (value) => ({ value }) } };
    const plain = await modernClient(server, tokens.alice, { pin: MODERN });
    const { client: declaring } = await modernClient(server, tokens.alice, { pin: MODERN },
      { name: 'blender-bus-v2-tasks', capabilities: { extensions: { [TASKS]: {} } } });
    const { blender, update } = await workerAndAssistant('task-worker-5', 'task-assistant-5');
    try {
      assert.deepEqual(plain.client.getServerCapabilities().extensions, { [TASKS]: {} });
      const refused = await plain.client.request({ method: 'tasks/get', params: { taskId: 'sdk-task' } }, anyResult)
        .then(() => null, (e) => e);
      assert.ok(refused, 'tasks/get without the extension must be refused');
      assert.equal(refused.code, -32021);
      assert.equal(refused.constructor.name, 'MissingRequiredClientCapabilityError');

      const created = await post(dispatch(2, 'sdk-task', 'task-worker-5', 'task-assistant-5'));
      assert.equal(created.json.result.resultType, 'task');
      const get = () => declaring.request({ method: 'tasks/get', params: { taskId: 'sdk-task' } }, anyResult);
      assert.equal((await get()).status, 'working');
      await update({ job_id: 'sdk-task', status: 'completed', result: 'rendered' });
      const done = await get();
      assert.equal(done.status, 'completed');
      assert.equal(JSON.parse(done.result.content[0].text).result, 'rendered');
      const unknown = await declaring.request({ method: 'tasks/get', params: { taskId: 'no-such' } }, anyResult)
        .then(() => null, (e) => e);
      assert.equal(unknown?.code, -32602);
    } finally {
      await blender.close();
      await declaring.close();
      await plain.close();
    }
  });

  test('tasks/* need Mcp-Name equal to the taskId', async () => {
    const res = await modernPost(server, tokens.alice, taskCall(8, 'tasks/get', 'some-task'),
      { headers: { 'mcp-name': 'other-task' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, -32020);
  });
});

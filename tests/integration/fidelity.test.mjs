// Wire fidelity with the original FastMCP server (issue 11): what its clients
// read and send, byte for byte where it matters. Six fixes (resource URI
// prefix, wrapped results, the prompt's target spec, null as the default,
// `server:` origins, Python floats) and the newer add-on's fields (label,
// progress, progress_message). Official SDK client, real server processes.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

import { RawSession, collectMessages, connectClient, makeDataDir, startServer, toolJson } from './harness.mjs';

const AUTH_NONE = ['--auth', 'none'];
// FastMCP >= 2.10's outputSchema for a tool returning `str`.
const WRAPPED_RESULT_SCHEMA = {
  type: 'object',
  properties: { result: { type: 'string' } },
  required: ['result'],
  'x-fastmcp-wrap-result': true,
};
// With the shared buses' blender_bus_* tools (README "Shared buses").
const BUS_TOOLS = ['blender_bus_create', 'blender_bus_invite', 'blender_bus_join',
  'blender_bus_leave', 'blender_bus_list', 'blender_bus_members', 'blender_bus_remove_member',
  'blender_bus_set_role', 'blender_job_status', 'blender_job_update',
  'blender_list_available_clients', 'blender_receive_messages', 'blender_register_client',
  'blender_send_message', 'blender_unregister_client'];
const CLIENT_KEYS = ['uuid', 'client_type', 'is_persistent', 'capabilities', 'group_id',
  'connected_at', 'last_seen', 'label'];
// A JSON number as Python's json.dumps writes a float that is a Unix time.
const PY_TIMESTAMP = /^\d{10}\.\d+$/;

/** Python's repr() of a float (what json.dumps writes), from JS's shortest digits. */
function pythonRepr(x) {
  const [mantissa, exponentText] = x.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point < digits.length) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
}

/** Asserts every float literal in JSON `text` is written as Python would; returns their count. */
function assertPythonFloats(text) {
  let floats = 0;
  for (const [token] of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (token.startsWith('"') || !/[.eE]/.test(token)) continue;
    assert.equal(token, pythonRepr(Number(token)), `a float not as Python writes it, in ${text}`);
    floats += 1;
  }
  return floats;
}

let server;
before(async () => { server = await startServer({ args: AUTH_NONE }); });
after(async () => { await server?.stop(); });

let uuids = 0;
const fresh = (what) => `${what}-${process.pid}-${++uuids}`;

/** A raw MCP session (exact request and response text), initialized. */
async function rawSession() {
  const s = new RawSession(server.mcpUrl, { protocolVersion: '2025-06-18' });
  await s.initialize();
  return s;
}

/** tools/call with a body given as JSON text; returns the response's `result`. */
async function rawCall(session, name, argumentsText) {
  const id = session.nextId++;
  const res = await session.post(
    `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${argumentsText}}}`);
  assert.equal(res.status, 200, res.text);
  const msg = res.messages.find((m) => m.id === id);
  assert.ok(msg?.result, `${name}: ${res.text}`);
  return msg.result;
}

/**
 * An `llm` peer (collecting its records) and a `blender` peer, registered on
 * separate sessions. close() ends both.
 */
async function llmAndWorker(name) {
  const llm = await connectClient(server);
  const worker = await connectClient(server);
  const inbox = collectMessages(llm.client);
  await llm.streamOpened;
  const llmUuid = fresh(`${name}-llm`);
  const workerUuid = fresh(`${name}-blender`);
  await llm.client.callTool({ name: 'blender_register_client', arguments: { client_uuid: llmUuid, client_type: 'llm' } });
  await worker.client.callTool({ name: 'blender_register_client', arguments: { client_uuid: workerUuid, client_type: 'blender' } });
  return { llm, worker, inbox, llmUuid, workerUuid, async close() { await llm.close(); await worker.close(); } };
}

describe('1. resource URIs carry FastMCP\'s blender+ prefix', () => {
  test('resources/list shows the prefixed URIs as the canonical entries', async () => {
    const peer = await connectClient(server);
    try {
      const { resources } = await peer.client.listResources();
      assert.deepEqual(resources.map((r) => r.uri).sort(),
        ['blender+blender://bus/clients', 'blender+blender://bus/stats']);
    } finally { await peer.close(); }
  });

  test('both spellings read the same content; each answer names the URI asked for', async () => {
    const peer = await connectClient(server);
    try {
      const uuid = fresh('res');
      await peer.client.callTool({ name: 'blender_register_client', arguments: { client_uuid: uuid, client_type: 'llm' } });
      for (const path of ['bus/clients', 'bus/stats']) {
        const prefixed = await peer.client.readResource({ uri: `blender+blender://${path}` });
        const plain = await peer.client.readResource({ uri: `blender://${path}` });
        assert.equal(prefixed.contents[0].uri, `blender+blender://${path}`);
        assert.equal(plain.contents[0].uri, `blender://${path}`);
        assert.equal(prefixed.contents[0].mimeType, 'application/json');
        const a = JSON.parse(prefixed.contents[0].text);
        const b = JSON.parse(plain.contents[0].text);
        if (path === 'bus/clients') {
          // last_seen and last_seen_seconds_ago follow the session's
          // activity between the two reads; the rest may not move.
          const strip = (o) => ({ ...o, ephemeral: o.ephemeral.map(({ last_seen, last_seen_seconds_ago, ...c }) => c) });
          assert.deepEqual(strip(a), strip(b));
          assert.ok(a.ephemeral.some((c) => c.uuid === uuid), prefixed.contents[0].text);
        } else {
          assert.deepEqual(a, b);
          assert.deepEqual(Object.keys(a).slice(0, 4),
            ['user_id', 'persistent_count', 'ephemeral_count', 'pending_jobs_for_user']);
        }
      }
    } finally { await peer.close(); }
  });
});

describe('2. results wrapped as FastMCP wraps a str: structuredContent {"result": <the text>}', () => {
  test('every blender_* tool declares FastMCP\'s outputSchema', async () => {
    const peer = await connectClient(server);
    try {
      const { tools } = await peer.client.listTools();
      const bus = tools.filter((t) => t.name.startsWith('blender_'));
      assert.deepEqual(bus.map((t) => t.name).sort(), BUS_TOOLS);
      for (const t of bus) assert.deepEqual(t.outputSchema, WRAPPED_RESULT_SCHEMA, t.name);
    } finally { await peer.close(); }
  });

  test('the SDK client validates every tool\'s result against its cached outputSchema, and accepts all', async () => {
    const peer = await connectClient(server);
    const validator = new AjvJsonSchemaValidator();
    const seen = new Set();
    // After listTools the SDK checks each callTool result against the
    // tool's outputSchema and throws when structuredContent breaks it.
    const { tools } = await peer.client.listTools();
    const schemaOf = new Map(tools.map((t) => [t.name, t.outputSchema]));
    async function check(name, args, { isError = false } = {}) {
      assert.ok(peer.client.getToolOutputValidator(name), `${name}: the SDK cached no validator`);
      const result = await peer.client.callTool({ name, arguments: args });
      assert.equal(Boolean(result.isError), isError, `${name}: ${JSON.stringify(result)}`);
      seen.add(name);
      const text = result.content[0].text;
      // An argument that breaks the inputSchema is a plain-text error, as in
      // FastMCP; the SDK validates only results that are not errors.
      if (isError) return text;
      assert.deepEqual(result.structuredContent, { result: text }, name);
      const verdict = validator.getValidator(schemaOf.get(name))(result.structuredContent);
      assert.ok(verdict.valid, `${name}: ${verdict.errorMessage}`);
      return JSON.parse(text);
    }
    try {
      const me = fresh('wrap');
      const other = fresh('wrap-blender');
      assert.equal((await check('blender_register_client', { client_uuid: me, client_type: 'llm' })).status, 'ok');
      assert.equal((await check('blender_register_client',
        { client_uuid: other, client_type: 'blender', is_persistent: true })).status, 'ok');
      const sent = await check('blender_send_message',
        { target_uuid: other, from_uuid: me, payload: { message_type: 'job_dispatch', job_id: fresh('job'), script: 'x' } });
      assert.equal(sent.status, 'ok');
      assert.equal((await check('blender_send_message', { payload: {}, priority: 'loud' })).status, 'error');
      assert.equal((await check('blender_job_update', { job_id: sent.job_id, status: 'running' })).delivered, 'direct');
      assert.equal((await check('blender_list_available_clients', {})).status, 'ok');
      const pulled = await check('blender_receive_messages', { client_uuid: other, after: 0 });
      assert.equal(pulled.messages.length, 1);
      assert.equal((await check('blender_receive_messages', { client_uuid: fresh('nobody') })).error, 'client_not_found');
      assert.equal((await check('blender_job_status', { job_id: sent.job_id })).job_status, 'running');
      assert.equal((await check('blender_job_status', { job_id: fresh('no-job') })).error, 'job_not_found');
      const refused = await check('blender_register_client',
        { client_uuid: fresh('long'), client_type: 'llm', label: 'x'.repeat(257) }, { isError: true });
      assert.equal(refused, '{"status":"error","error":"label exceeds 256 bytes"}');
      assert.equal((await check('blender_unregister_client', { client_uuid: other })).status, 'ok');
      // The shared buses' tools answer the same way (this server runs with
      // --auth none: one user, who owns the bus).
      const { bus } = await check('blender_bus_create', { name: fresh('bus') });
      assert.equal((await check('blender_bus_list', {})).status, 'ok');
      const { invitation } = await check('blender_bus_invite', { bus_id: bus.bus_id, username: 'someone', role: 'guest' });
      assert.equal((await check('blender_bus_join', { code: invitation.code })).error, 'invitation is for another user');
      assert.equal((await check('blender_bus_members', { bus_id: bus.bus_id })).members.length, 1);
      assert.equal((await check('blender_bus_set_role', { bus_id: bus.bus_id, username: 'nobody', role: 'guest' })).status, 'error');
      assert.equal((await check('blender_bus_remove_member', { bus_id: bus.bus_id, username: 'nobody' })).status, 'error');
      assert.equal((await check('blender_bus_leave', { bus_id: bus.bus_id })).status, 'error');
      assert.deepEqual([...seen].sort(), BUS_TOOLS);
    } finally { await peer.close(); }
  });

  test('the text is the JSON string itself: a FastMCP client\'s json.loads(result.data) gets the object', async () => {
    const s = await rawSession();
    const result = await rawCall(s, 'blender_unregister_client', '{"client_uuid":"nobody-here"}');
    assert.equal(typeof result.structuredContent.result, 'string');
    assert.deepEqual(JSON.parse(result.structuredContent.result), { status: 'not_found', client_uuid: 'nobody-here' });
    assert.equal(result.content[0].text, result.structuredContent.result);
  });
});

describe('3. the prompt\'s target is a spec: uuid:X, group:X, type:X or broadcast', () => {
  /** The blender_send_message arguments the prompt tells the assistant to use. */
  async function sendArgumentsFor(client, target) {
    const prompt = await client.getPrompt({ name: 'blender_dispatch_script', arguments: { target, script: 'print(1)' } });
    const text = prompt.messages[0].content.text;
    const line = text.split('\n').find((l) => l.startsWith('{"'));
    assert.ok(line, text);
    return JSON.parse(line);
  }

  test('each spec becomes its routing argument', async () => {
    const peer = await connectClient(server);
    try {
      const routing = (args) => Object.fromEntries(
        ['target_uuid', 'group_id', 'client_type'].filter((k) => k in args).map((k) => [k, args[k]]));
      assert.deepEqual(routing(await sendArgumentsFor(peer.client, 'uuid:blender-1')), { target_uuid: 'blender-1' });
      assert.deepEqual(routing(await sendArgumentsFor(peer.client, 'group:render')), { group_id: 'render' });
      assert.deepEqual(routing(await sendArgumentsFor(peer.client, 'type:blender')), { client_type: 'blender' });
      const broadcast = await sendArgumentsFor(peer.client, 'broadcast');
      assert.deepEqual(routing(broadcast), {});
      assert.equal(broadcast.payload.message_type, 'job_dispatch');
      assert.equal(broadcast.payload.script, 'print(1)');
    } finally { await peer.close(); }
  });

  test('anything else is an invalid target spec (-32602), and nothing is sent', async () => {
    const s = await rawSession();
    for (const target of ['blender-1', 'group:', 'uuid:', 'cluster:x', 'Broadcast', '']) {
      const r = await s.request('prompts/get', { name: 'blender_dispatch_script', arguments: { target, script: 'x' } });
      assert.equal(r.error?.code, -32602, `${JSON.stringify(target)}: ${JSON.stringify(r)}`);
      assert.equal(r.error.message,
        `Invalid target spec: '${target}' (use uuid:<client_uuid>, group:<group_id>, type:<client_type> or broadcast)`);
    }
  });
});

describe('4. null means the default for every optional parameter', () => {
  test('blender_register_client: capabilities, group_id, is_persistent and label null', async () => {
    const s = await rawSession();
    const uuid = fresh('nulls');
    const reg = toolJson(await rawCall(s, 'blender_register_client',
      `{"client_uuid":"${uuid}","client_type":"llm","capabilities":null,"group_id":null,"is_persistent":null,"label":null}`));
    assert.equal(reg.status, 'ok', JSON.stringify(reg));
    assert.deepEqual(reg.client.capabilities, []);
    assert.equal(reg.client.group_id, null);
    assert.equal(reg.client.is_persistent, false);
    assert.equal(reg.client.label, null);
  });

  test('blender_send_message, blender_job_update and the pull tools', async () => {
    const s = await rawSession();
    const uuid = fresh('nulls-send');
    await rawCall(s, 'blender_register_client', `{"client_uuid":"${uuid}","client_type":"llm"}`);
    const sent = toolJson(await rawCall(s, 'blender_send_message',
      `{"payload":{"n":1},"target_uuid":"${uuid}","group_id":null,"client_type":null,"priority":null,"from_uuid":null}`));
    assert.equal(sent.status, 'ok', JSON.stringify(sent));
    assert.deepEqual(sent.routing, { type: 'direct', target_uuid: uuid });
    const pulled = toolJson(await rawCall(s, 'blender_receive_messages',
      `{"client_uuid":"${uuid}","after":null,"wait_seconds":null,"limit":null}`));
    assert.equal(pulled.messages.length, 1);
    assert.equal(pulled.messages[0].priority, 6);  // info, the default
    const job = fresh('nulls-job');
    const updated = toolJson(await rawCall(s, 'blender_job_update',
      `{"job_id":"${job}","status":"running","result":null,"error":null,"progress":null,"progress_message":null}`));
    assert.equal(updated.status, 'ok', JSON.stringify(updated));
    const status = toolJson(await rawCall(s, 'blender_job_status', `{"job_id":"${job}","wait_seconds":null}`));
    assert.equal(status.result, '');
    assert.equal(status.error, '');
  });
});

describe('5. a server: origin opens no job', () => {
  test('a send with from_uuid "server:…" leaves the job unopened: its update broadcasts to everyone', async () => {
    const { llm, worker, inbox, llmUuid, workerUuid, close } = await llmAndWorker('origin');
    try {
      const job = fresh('job');
      const sent = toolJson(await llm.client.callTool({ name: 'blender_send_message', arguments: {
        target_uuid: workerUuid, from_uuid: 'server:local', payload: { message_type: 'job_dispatch', job_id: job, script: '' } } }));
      assert.deepEqual(sent.targets, [workerUuid]);
      const status = toolJson(await llm.client.callTool({ name: 'blender_job_status', arguments: { job_id: job } }));
      assert.equal(status.error, 'job_not_found', JSON.stringify(status));

      const update = toolJson(await worker.client.callTool({ name: 'blender_job_update',
        arguments: { job_id: job, status: 'completed', result: 'done' } }));
      assert.equal(update.delivered, 'broadcast');
      assert.ok(update.targets.includes(llmUuid), JSON.stringify(update));
      const [record] = await inbox.waitFor(1, { filter: (r) => r.data?.payload?.job_id === job });
      assert.deepEqual(record.data.routing, { type: 'broadcast' });
      assert.equal(record.data.payload.result, 'done');
    } finally { await close(); }
  });
});

describe('6. floats as Python writes them: shortest round-trip decimal', () => {
  test('ClientInfo timestamps in tool texts and resources: 1796125004.967525, never 1.79E9', async () => {
    const s = await rawSession();
    const uuid = fresh('floats');
    const reg = await rawCall(s, 'blender_register_client', `{"client_uuid":"${uuid}","client_type":"llm"}`);
    const text = reg.content[0].text;
    const connectedAt = /"connected_at":([^,}]+)/.exec(text)[1];
    const lastSeen = /"last_seen":([^,}]+)/.exec(text)[1];
    assert.match(connectedAt, PY_TIMESTAMP, text);
    assert.match(lastSeen, PY_TIMESTAMP, text);
    assert.equal(assertPythonFloats(text), 3);  // connected_at, last_seen, last_seen_seconds_ago
    const listed = await rawCall(s, 'blender_list_available_clients', '{}');
    assert.ok(assertPythonFloats(listed.content[0].text) >= 3, listed.content[0].text);
    assert.equal(listed.structuredContent.result, listed.content[0].text);
    const read = await s.request('resources/read', { uri: 'blender+blender://bus/clients' });
    assert.ok(assertPythonFloats(read.result.contents[0].text) >= 3, read.result.contents[0].text);
  });

  test('a record carries its timestamp and the payload\'s floats as Python would', async () => {
    const receiver = await rawSession();
    const uuid = fresh('floats-rx');
    await rawCall(receiver, 'blender_register_client', `{"client_uuid":"${uuid}","client_type":"llm"}`);
    const stream = await receiver.openStream();
    try {
      const sender = await rawSession();
      await rawCall(sender, 'blender_send_message',
        `{"target_uuid":"${uuid}","payload":{"zero":0.0,"half":0.5,"tiny":1e-7,"big":1e21,"frame":2.0,"n":3}}`);
      const event = await stream.next();
      assert.ok(event.data.includes('"payload":{"zero":0.0,"half":0.5,"tiny":1e-07,"big":1e+21,"frame":2.0,"n":3}'), event.data);
      assert.match(/"timestamp":([^,}]+)/.exec(event.data)[1], PY_TIMESTAMP, event.data);
      assert.equal(assertPythonFloats(event.data), 6);  // five in the payload, the timestamp

      // The pull path re-reads the stored record: the same numbers.
      const pulled = await rawCall(receiver, 'blender_receive_messages', `{"client_uuid":"${uuid}","after":0}`);
      assert.ok(pulled.content[0].text.includes('"payload":{"zero":0.0,"half":0.5,"tiny":1e-07,"big":1e+21,"frame":2.0,"n":3}'),
        pulled.content[0].text);
    } finally { stream.close(); }
  });

  test('a number beyond the double range (NaN and infinities have no JSON) is refused, naming the field', async () => {
    const s = await rawSession();
    const refused = await rawCall(s, 'blender_send_message', '{"payload":{"frames":[1,2,1e400]}}');
    assert.equal(refused.isError, true);
    assert.equal(refused.content[0].text,
      'Invalid arguments for blender_send_message: payload.frames[2]: number out of range (JSON has no NaN or infinity)');
    const progress = await rawCall(s, 'blender_job_update', '{"job_id":"j","status":"running","progress":-1e999}');
    assert.equal(progress.isError, true);
    assert.ok(progress.content[0].text.includes('progress: number out of range'), progress.content[0].text);
  });
});

describe('the newer add-on: label', () => {
  test('kept, returned after the seven original keys, listed, updated in place', async () => {
    const peer = await connectClient(server);
    try {
      const uuid = fresh('label');
      const reg = toolJson(await peer.client.callTool({ name: 'blender_register_client',
        arguments: { client_uuid: uuid, client_type: 'blender', label: 'Studio PC (GPU)' } }));
      assert.deepEqual(Object.keys(reg.client).slice(0, 8), CLIENT_KEYS);
      assert.equal(reg.client.label, 'Studio PC (GPU)');
      const listed = toolJson(await peer.client.callTool({ name: 'blender_list_available_clients', arguments: {} }));
      assert.equal(listed.ephemeral.find((c) => c.uuid === uuid).label, 'Studio PC (GPU)');
      const again = toolJson(await peer.client.callTool({ name: 'blender_register_client',
        arguments: { client_uuid: uuid, client_type: 'blender', label: 'Render node 2' } }));
      assert.equal(again.client.label, 'Render node 2');
      // An add-on that sends no label registers without one (null), as before.
      const plain = toolJson(await peer.client.callTool({ name: 'blender_register_client',
        arguments: { client_uuid: fresh('no-label'), client_type: 'blender' } }));
      assert.equal(plain.client.label, null);
    } finally { await peer.close(); }
  });

  test('a label longer than 256 characters is refused', async () => {
    const peer = await connectClient(server);
    try {
      const result = await peer.client.callTool({ name: 'blender_register_client',
        arguments: { client_uuid: fresh('long-label'), client_type: 'blender', label: 'x'.repeat(257) } });
      assert.equal(result.isError, true);
      assert.match(result.content[0].text, /label/);
    } finally { await peer.close(); }
  });

  test('a persistent client\'s label survives a restart', async () => {
    const dataDir = await makeDataDir();
    let own;
    try {
      own = await startServer({ args: AUTH_NONE, dataDir });
      const uuid = fresh('label-durable');
      let peer = await connectClient(own);
      await peer.client.callTool({ name: 'blender_register_client',
        arguments: { client_uuid: uuid, client_type: 'blender', is_persistent: true, label: 'Workstation 7' } });
      await peer.close();
      await own.stop();
      own = await startServer({ args: AUTH_NONE, dataDir });
      peer = await connectClient(own);
      const listed = toolJson(await peer.client.callTool({ name: 'blender_list_available_clients', arguments: {} }));
      await peer.close();
      const restored = listed.persistent.find((c) => c.uuid === uuid);
      assert.equal(restored?.label, 'Workstation 7', JSON.stringify(listed));
    } finally {
      await own?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the newer add-on: progress and progress_message on blender_job_update', () => {
  test('passed through in the job_update payload to the originator, and kept for blender_job_status', async () => {
    const { llm, worker, inbox, llmUuid: me, workerUuid: blender, close } = await llmAndWorker('progress');
    try {
      const job = fresh('job');
      await llm.client.callTool({ name: 'blender_send_message', arguments: {
        target_uuid: blender, from_uuid: me, payload: { message_type: 'job_dispatch', job_id: job, script: '' } } });
      const update = toolJson(await worker.client.callTool({ name: 'blender_job_update', arguments: {
        job_id: job, status: 'running', progress: 0.25, progress_message: 'frame 1 of 4' } }));
      assert.deepEqual(update, { status: 'ok', delivered: 'direct', targets: [me] });
      const [record] = await inbox.waitFor(1, { filter: (r) => r.data?.payload?.job_id === job });
      // The updating client's uuid follows (beyond the original).
      assert.deepEqual(record.data.payload, { kind: 'job_update', job_id: job, status: 'running', result: '',
        error: '', progress: 0.25, progress_message: 'frame 1 of 4', client_uuid: blender });
      const status = toolJson(await llm.client.callTool({ name: 'blender_job_status', arguments: { job_id: job } }));
      assert.equal(status.progress, 0.25);
      assert.equal(status.progress_message, 'frame 1 of 4');

      // Without them the payload is the original's five keys, and the updating client.
      await worker.client.callTool({ name: 'blender_job_update', arguments: { job_id: job, status: 'completed', result: 'ok' } });
      const [, last] = await inbox.waitFor(2, { filter: (r) => r.data?.payload?.job_id === job });
      assert.deepEqual(Object.keys(last.data.payload), ['kind', 'job_id', 'status', 'result', 'error', 'client_uuid']);
    } finally { await close(); }
  });

  test('progress must be a number from 0 to 1', async () => {
    const peer = await connectClient(server);
    try {
      for (const [progress, why] of [[-0.1, 'progress: must be at least 0'], [1.5, 'progress: must be at most 1'],
        ['half', 'progress: expected number or null, got string']]) {
        const result = await peer.client.callTool({ name: 'blender_job_update',
          arguments: { job_id: fresh('job'), status: 'running', progress } });
        assert.equal(result.isError, true, JSON.stringify(result));
        assert.equal(result.content[0].text, `Invalid arguments for blender_job_update: ${why}`);
      }
      for (const progress of [0, 1, 0.5]) {
        const result = await peer.client.callTool({ name: 'blender_job_update',
          arguments: { job_id: fresh('job'), status: 'running', progress } });
        assert.ok(!result.isError, JSON.stringify(result));
      }
    } finally { await peer.close(); }
  });
});

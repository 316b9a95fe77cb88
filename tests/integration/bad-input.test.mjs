// Bad input on the Streamable HTTP endpoint, one test each, with the exact
// statuses and JSON-RPC errors of SPEC §3. Plain HTTP, --auth none.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { ACCEPT_BOTH, RawSession, rawRequest, startServer } from './harness.mjs';

let server;
before(async () => { server = await startServer({ args: ['--auth', 'none'] }); });
after(async () => { await server?.stop(); });

/** A fresh initialized session (2025-11-25 unless told). */
async function session(protocolVersion) {
  const s = new RawSession(server.mcpUrl, protocolVersion ? { protocolVersion } : {});
  await s.initialize();
  return s;
}

/** Writes `bytes` on a connection of its own; resolves with all the server sent before it closed. */
function rawExchange(bytes) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.setEncoding('latin1');
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no close after 10 s; got: ${text}`)));
    socket.on('data', (chunk) => { text += chunk; });
    socket.on('end', () => { socket.end(); resolve(text); });
    socket.on('error', reject);
  });
}

/** Asserts a JSON-RPC error body with this code. */
function assertRpcError(res, code) {
  assert.match(String(res.headers['content-type']), /application\/json/, `content-type of ${res.status} ${res.text}`);
  assert.equal(res.json?.jsonrpc, '2.0', res.text);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok('id' in res.json, `a JSON-RPC error response carries an id (null when unknown): ${res.text}`);
}

const PING = { jsonrpc: '2.0', id: 1, method: 'ping' };

describe('bad input (SPEC §3)', () => {
  test('malformed JSON → 400 with JSON-RPC error -32700', async () => {
    const s = await session();
    const res = await s.post('{"jsonrpc": "2.0", "id": 1, "method": "ping"');
    assert.equal(res.status, 400, res.text);
    assertRpcError(res, -32700);
    assert.equal(res.json.id, null);
  });

  test('JSON that is not JSON-RPC → 400 with -32600', async () => {
    const s = await session();
    const res = await s.post({ hello: 'world' });
    assert.equal(res.status, 400, res.text);
    assertRpcError(res, -32600);
  });

  test('a JSON-RPC array (batch) under 2025-06-18 → 400 with -32600', async () => {
    const s = await session('2025-06-18');
    assert.equal(s.protocolVersion, '2025-06-18');
    const res = await s.post([PING, { ...PING, id: 2 }]);
    assert.equal(res.status, 400, res.text);
    assertRpcError(res, -32600);
  });

  test('a request without a session id → 400', async () => {
    await session();
    const res = await rawRequest(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify(PING),
    });
    assert.equal(res.status, 400, res.text);
  });

  test('a request with an unknown session id → 404', async () => {
    const s = await session();
    const res = await s.post(PING, { headers: { 'mcp-session-id': 'no-such-session-0123456789abcdef' } });
    assert.equal(res.status, 404, res.text);
  });

  test('an Accept allowing neither JSON nor SSE → 406', async () => {
    const s = await session();
    const res = await s.post(PING, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 406, res.text);
  });

  test('a 5 MiB body → 413', async () => {
    const s = await session();
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    assert.ok(big.length > 5 * 1024 * 1024);
    const res = await s.post(big);
    assert.equal(res.status, 413, res.text.slice(0, 500));
    // The server is still fine afterwards.
    assert.deepEqual((await s.request('ping')).result, {});
  });

  test('an unsupported MCP-Protocol-Version header → 400', async () => {
    const s = await session();
    const res = await s.post(PING, { headers: { 'mcp-protocol-version': '1999-01-01' } });
    assert.equal(res.status, 400, res.text);
  });

  test('a foreign Origin → 403', async () => {
    const s = new RawSession(server.mcpUrl, { origin: 'http://evil.example.com' });
    const res = await s.post({
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'evil', version: '1' } },
    });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.headers['mcp-session-id'], undefined, 'no session for a refused origin');
  });

  test('an allowed Origin (the server\'s own host, localhost) is served', async () => {
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
      const s = new RawSession(server.mcpUrl, { origin });
      await s.initialize();
      assert.deepEqual((await s.request('ping')).result, {}, origin);
      await s.delete();
    }
  });

  test('a GET with a Last-Event-ID the server never issued → 400', async () => {
    const s = await session();
    const st = await s.openStream({ lastEventId: 'never-issued-424242' });
    st.close();
    assert.equal(st.status, 400, st.text);
  });

  test('a chunked body with a broken chunk size → 400, then the connection closes', async () => {
    // Found by the soak (bench/soak): the server closed without a word.
    const answer = await rawExchange(
      'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
      + `Accept: ${ACCEPT_BOTH}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 400 /, answer);
    assert.match(answer, /"detail":"Malformed HTTP request"/, answer);
  });

  test('the server still answers after all of the above', async () => {
    const s = await session();
    assert.deepEqual((await s.request('ping')).result, {});
    await s.delete();
  });
});

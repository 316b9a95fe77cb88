// A fully browser-based MCP client on another origin calling /mcp (CORS),
// from a real page in headless Chromium: by default no origin gets CORS (the
// browser refuses to send the request, and a foreign Origin is 403 as the
// DNS-rebinding guard says); with --allow-origin ORIGIN that page
// initializes, reads Mcp-Session-Id and calls a tool with its bearer token,
// and any other origin still gets nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import puppeteer from 'puppeteer-core';

import { login, rawRequest, startServer } from './harness.mjs';

const CHROMIUM = process.env.BLENDER_BUS_CHROMIUM ?? '/usr/bin/chromium';
const ALICE_PASSWORD = `alice-${randomUUID()}`;

let browser;
let page;        // a blank page served from its own origin (another port)
let pageServer;
let pageOrigin;

before(async () => {
  pageServer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>browser MCP client</title>');
  });
  await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  await page.goto(`${pageOrigin}/`);
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve()));
});

const INITIALIZE = {
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'browser', version: '1' } },
};

/**
 * From the page: initialize, then tools/list on the session, as a browser
 * MCP client does. { session, status, tools, wwwAuthenticate } or { error }.
 */
function mcpFromPage(mcpUrl, token) {
  return page.evaluate(async (url, bearer, initialize) => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    try {
      const init = await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) });
      const session = init.headers.get('mcp-session-id');
      const out = { status: init.status, session, wwwAuthenticate: init.headers.get('www-authenticate') };
      if (init.status !== 200) return out;
      await init.text();
      const listed = await fetch(url, {
        method: 'POST', headers: { ...headers, 'mcp-session-id': session },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      const text = await listed.text();
      const json = JSON.parse(text.startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data: ')).slice(6));
      return { ...out, tools: json.result.tools.map((t) => t.name) };
    } catch (e) {
      return { error: String(e) };
    }
  }, mcpUrl, token, INITIALIZE);
}

function preflight(server, origin) {
  return rawRequest(server.mcpUrl, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version, mcp-session-id' },
  });
}

describe('CORS on /mcp', () => {
  test('by default no origin gets CORS: the page cannot call /mcp, a foreign preflight is 403', async () => {
    const server = await startServer({ users: [{ username: 'alice', password: ALICE_PASSWORD }] });
    try {
      const token = (await login(server, 'alice', ALICE_PASSWORD)).access_token;
      const fromPage = await mcpFromPage(server.mcpUrl, token);
      assert.ok(fromPage.error, `the browser let ${pageOrigin} call /mcp: ${JSON.stringify(fromPage)}`);
      const own = await preflight(server, pageOrigin);
      assert.equal(own.status, 405, 'a loopback origin passes the guard but gets no preflight');
      assert.equal(own.headers['access-control-allow-origin'], undefined);
      const foreign = await preflight(server, 'https://evil.example');
      assert.equal(foreign.status, 403);
      assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    } finally {
      await server.stop();
    }
  });

  test('--allow-origin ORIGIN: that page initializes and lists tools with its token; other origins get nothing', async () => {
    const server = await startServer({
      users: [{ username: 'alice', password: ALICE_PASSWORD }],
      args: ['--allow-origin', pageOrigin],
    });
    try {
      const ok = await preflight(server, pageOrigin);
      assert.equal(ok.status, 204);
      assert.equal(ok.headers['access-control-allow-origin'], pageOrigin);
      assert.equal(ok.headers['access-control-allow-methods'], 'GET, POST, DELETE');
      assert.match(ok.headers['access-control-allow-headers'], /authorization/i);
      assert.match(ok.headers['access-control-allow-headers'], /mcp-session-id/i);
      assert.match(ok.headers.vary, /Origin/);
      assert.equal(ok.headers['access-control-allow-credentials'], undefined, 'never credentials');
      const other = await preflight(server, 'https://evil.example');
      assert.equal(other.status, 403);
      assert.equal(other.headers['access-control-allow-origin'], undefined);

      // Without a token: the 401 and its pointer to the OAuth metadata are readable.
      const anonymous = await mcpFromPage(server.mcpUrl, undefined);
      assert.equal(anonymous.status, 401, JSON.stringify(anonymous));
      assert.match(anonymous.wwwAuthenticate, /resource_metadata=/);

      const token = (await login(server, 'alice', ALICE_PASSWORD)).access_token;
      const fromPage = await mcpFromPage(server.mcpUrl, token);
      assert.equal(fromPage.status, 200, JSON.stringify(fromPage));
      assert.match(fromPage.session, /\S+/, 'Mcp-Session-Id is exposed');
      assert.ok(fromPage.tools.includes('blender_register_client'), JSON.stringify(fromPage.tools));
    } finally {
      await server.stop();
    }
  });
});

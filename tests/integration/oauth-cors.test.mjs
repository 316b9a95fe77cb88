// Browser-based MCP clients: CORS on the OAuth metadata, register, token and
// revoke routes (checked with preflights and from a real page in headless
// Chromium on another origin), --oauth-cors-origins, and the rate limit on
// open client registration.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import puppeteer from 'puppeteer-core';

import { rawRequest, startServer } from './harness.mjs';

const CHROMIUM = process.env.BLENDER_BUS_CHROMIUM ?? '/usr/bin/chromium';
const ALICE_PASSWORD = `alice-${randomUUID()}`;
const ORIGIN = 'https://app.example';

let server;
let browser;
let page;   // a blank page served from its own origin (another port)
let pageServer;

before(async () => {
  server = await startServer({ users: [{ username: 'alice', password: ALICE_PASSWORD }] });
  pageServer = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>client</title>');
  });
  await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve()));
  await server?.stop();
});

function preflight(target, path, { origin = ORIGIN, method = 'POST' } = {}) {
  return rawRequest(`${target.baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type, mcp-protocol-version' },
  });
}

/** fetch() from the page's origin; { status, body } or { error }. */
function fetchFromPage(url, init) {
  return page.evaluate(async (u, i) => {
    try {
      const res = await fetch(u, i);
      return { status: res.status, body: await res.text() };
    } catch (e) {
      return { error: String(e) };
    }
  }, url, init);
}

describe('CORS for browser-based clients', () => {
  test('preflights on the JSON routes answer 204 with what may be sent, never credentials', async () => {
    for (const [path, method] of [
      ['/oauth/register', 'POST'], ['/oauth/token', 'POST'], ['/oauth/revoke', 'POST'],
      ['/.well-known/oauth-authorization-server', 'GET'],
      ['/.well-known/oauth-protected-resource', 'GET'], ['/.well-known/oauth-protected-resource/mcp', 'GET'],
    ]) {
      const res = await preflight(server, path, { method });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers['access-control-allow-origin'], '*', path);
      assert.equal(res.headers['access-control-allow-methods'], method, path);
      assert.match(res.headers['access-control-allow-headers'], /Content-Type/, path);
      assert.match(res.headers['access-control-allow-headers'], /MCP-Protocol-Version/, path);
      assert.equal(res.headers['access-control-allow-credentials'], undefined, path);
    }
  });

  test('answers carry Access-Control-Allow-Origin; the authorize page does not', async () => {
    const meta = await rawRequest(`${server.baseUrl}/.well-known/oauth-authorization-server`, { headers: { origin: ORIGIN } });
    assert.equal(meta.headers['access-control-allow-origin'], '*');
    const prm = await rawRequest(`${server.baseUrl}/.well-known/oauth-protected-resource/mcp`, { headers: { origin: ORIGIN } });
    assert.equal(prm.headers['access-control-allow-origin'], '*');
    const token = await rawRequest(`${server.baseUrl}/oauth/token`, {
      method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nope',
    });
    assert.equal(token.status, 400);
    assert.equal(token.headers['access-control-allow-origin'], '*');
    const authorize = await rawRequest(`${server.baseUrl}/oauth/authorize?client_id=x`, { headers: { origin: ORIGIN } });
    assert.equal(authorize.headers['access-control-allow-origin'], undefined);
    const authorizePreflight = await preflight(server, '/oauth/authorize');
    assert.equal(authorizePreflight.status, 405);
    assert.equal(authorizePreflight.headers['access-control-allow-origin'], undefined);
  });

  test('a page on another origin discovers, registers and is answered at the token endpoint', async () => {
    const meta = await fetchFromPage(`${server.baseUrl}/.well-known/oauth-authorization-server`,
      { headers: { 'MCP-Protocol-Version': '2025-11-25' } });
    assert.equal(meta.status, 200, JSON.stringify(meta));
    assert.equal(JSON.parse(meta.body).issuer, server.baseUrl);
    const registered = await fetchFromPage(`${server.baseUrl}/oauth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example/callback'], client_name: 'Browser client' }),
    });
    assert.equal(registered.status, 201, JSON.stringify(registered));
    const refused = await fetchFromPage(`${server.baseUrl}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=authorization_code&client_id=${JSON.parse(registered.body).client_id}&code=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&code_verifier=${'v'.repeat(43)}`,
    });
    assert.equal(refused.status, 400);
    assert.equal(JSON.parse(refused.body).error, 'invalid_grant');
  });

  test('--oauth-cors-origins lets only the listed origins in', async () => {
    const pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
    const listed = await startServer({ args: ['--oauth-cors-origins', ORIGIN, 'http://localhost:9'] });
    try {
      const ok = await preflight(listed, '/oauth/register', { origin: ORIGIN });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
      assert.match(ok.headers.vary, /Origin/);
      const other = await preflight(listed, '/oauth/register', { origin: 'https://evil.example' });
      assert.equal(other.status, 403);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const fromPage = await fetchFromPage(`${listed.baseUrl}/.well-known/oauth-authorization-server`);
      assert.ok(fromPage.error, `the browser let ${pageOrigin} read it: ${JSON.stringify(fromPage)}`);
    } finally {
      await listed.stop();
    }
    const none = await startServer({ args: ['--oauth-cors-origins', 'none'] });
    try {
      const res = await preflight(none, '/oauth/token');
      assert.equal(res.status, 403);
    } finally {
      await none.stop();
    }
    await assert.rejects(startServer({ args: ['--oauth-cors-origins', 'https://app.example/path'] }),
      /--oauth-cors-origins: an origin is scheme:\/\/host\[:port\]/);
  });
});

describe('open registration is rate limited per address', () => {
  test('a burst, then 429 with Retry-After', async () => {
    const limited = await startServer({ args: ['--oauth-registration-burst', '2', '--oauth-registration-interval', '3600'] });
    try {
      const register = () => rawRequest(`${limited.baseUrl}/oauth/register`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:1/cb'], client_name: 'limited' }),
      });
      assert.equal((await register()).status, 201);
      assert.equal((await register()).status, 201);
      const third = await register();
      assert.equal(third.status, 429, third.text);
      assert.equal(third.json.error, 'temporarily_unavailable');
      const retryAfter = Number(third.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 3600, third.headers['retry-after']);
      // Nothing else is limited: the metadata still answers.
      assert.equal((await rawRequest(`${limited.baseUrl}/.well-known/oauth-authorization-server`)).status, 200);
    } finally {
      await limited.stop();
    }
  });
});

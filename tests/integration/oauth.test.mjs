// The built-in OAuth 2.1 authorization server (issue 15 §1) against the real
// binary: metadata, dynamic registration, the sign-in and consent forms in
// Debian's headless Chromium (puppeteer-core), the callback, the token, and
// tools through it with the official SDK's OAuth client provider; then the
// error paths over plain HTTP: bad verifier, reused code, a rotated refresh
// token reused (the whole family revoked), an unknown redirect or client,
// a token for another audience, CSRF missing or wrong, throttled sign-ins,
// denial, revocation (RFC 7009) and `blender-bus oauth clients|revoke`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import puppeteer from 'puppeteer-core';

import { REPO_ROOT, callToolJson, freePort, makeDataDir, rawRequest, serverBin, startServer } from './harness.mjs';
import { form, hidden, pkce, postForm, signInOverHttp } from './oauth-forms.mjs';

const CHROMIUM = process.env.BLENDER_BUS_CHROMIUM ?? '/usr/bin/chromium';
const ALICE_PASSWORD = `alice-${randomUUID()}`;
const SECRET = randomBytes(32).toString('hex');
const WAIT = { timeout: 20_000 };

let server;
let browser;

before(async () => {
  server = await startServer({
    users: [{ username: 'alice', password: ALICE_PASSWORD }],
    env: { OAUTH_SECRET_KEY: SECRET },
  });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A loopback HTTP server that records the OAuth callbacks it receives. */
async function callbackServer() {
  const hits = [];
  const waiters = [];
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    hits.push(url);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK. You can close this page.');
    while (waiters.length) waiters.shift()(url);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${srv.address().port}/callback`;
  return {
    url,
    hits,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => new Promise((resolve) => srv.close(resolve)),
  };
}

/** An OAuthClientProvider that keeps everything in memory and records the authorization URL. */
function memoryProvider(redirectUrl, clientName) {
  const saved = { client: undefined, tokens: undefined, verifier: undefined, authorizationUrl: undefined };
  return {
    saved,
    get redirectUrl() { return redirectUrl; },
    get clientMetadata() {
      return {
        client_name: clientName,
        redirect_uris: [redirectUrl],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      };
    },
    state: () => `state-${randomUUID()}`,
    clientInformation: () => saved.client,
    saveClientInformation: (info) => { saved.client = info; },
    tokens: () => saved.tokens,
    saveTokens: (tokens) => { saved.tokens = tokens; },
    redirectToAuthorization: (url) => { saved.authorizationUrl = url; },
    saveCodeVerifier: (v) => { saved.verifier = v; },
    codeVerifier: () => saved.verifier,
  };
}

/** Signs in and approves in the browser; resolves with the callback URL. */
async function approveInBrowser(authorizationUrl, callbacks, { username = 'alice', password = ALICE_PASSWORD, expectText = [] } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    const hit = callbacks.next();
    await page.goto(String(authorizationUrl), { waitUntil: 'load' });
    assert.equal(await page.title(), 'Sign in · blender-bus');
    // The fields are labelled: a screen reader names them.
    assert.equal(await page.$eval('label[for=username]', (l) => l.textContent), 'Username');
    assert.equal(await page.$eval('label[for=password]', (l) => l.textContent), 'Password');
    assert.equal(await page.$$eval('script', (s) => s.length), 0, 'no script on the page');
    await page.type('#username', username);
    await page.type('#password', password);
    await Promise.all([page.waitForNavigation(WAIT), page.click('#sign-in')]);
    const consent = await page.$eval('main', (m) => m.textContent);
    for (const text of expectText) assert.ok(consent.includes(text), `consent page names ${text}: ${consent}`);
    await Promise.all([page.waitForNavigation(WAIT), page.click('#approve')]);
    const url = await hit;
    assert.deepEqual(errors, []);
    return url;
  } finally {
    await page.close();
  }
}

function jwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function postFormFrom(localAddress, url, fields, headers = {}) {
  return rawRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
    localAddress,
  });
}

async function register(redirectUri, extra = {}) {
  const res = await rawRequest(`${server.baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [redirectUri], client_name: 'Raw HTTP test', ...extra }),
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** The sign-in and consent over plain HTTP, as a browser would post them (oauth-forms.mjs). */
async function authorizeOverHttp(client, redirectUri, challenge, { password = ALICE_PASSWORD, ...rest } = {}) {
  return signInOverHttp(server, client.client_id, redirectUri, challenge, { password, ...rest });
}

async function token(fields) {
  return postForm(`${server.baseUrl}/oauth/token`, fields);
}

async function exchange(client, redirectUri, code, verifier) {
  return token({
    grant_type: 'authorization_code', client_id: client.client_id, code, redirect_uri: redirectUri,
    code_verifier: verifier, resource: server.mcpUrl,
  });
}

/** POSTs initialize to /mcp with `accessToken`; the status. */
async function mcpStatus(accessToken) {
  const res = await rawRequest(server.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'oauth-test', version: '1' } } }),
  });
  return res;
}

describe('discovery', () => {
  test('the authorization server metadata names every endpoint, S256 only, and iss', async () => {
    const res = await rawRequest(`${server.baseUrl}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /application\/json/);
    const m = res.json;
    assert.equal(m.issuer, server.baseUrl);
    assert.equal(m.authorization_endpoint, `${server.baseUrl}/oauth/authorize`);
    assert.equal(m.token_endpoint, `${server.baseUrl}/oauth/token`);
    assert.equal(m.registration_endpoint, `${server.baseUrl}/oauth/register`);
    assert.equal(m.revocation_endpoint, `${server.baseUrl}/oauth/revoke`);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(m.response_types_supported, ['code']);
    assert.deepEqual(m.grant_types_supported, ['authorization_code', 'refresh_token']);
    assert.ok(m.token_endpoint_auth_methods_supported.includes('none'));
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(m.scopes_supported, ['read', 'write']);
    const prm = await rawRequest(`${server.baseUrl}/.well-known/oauth-protected-resource/mcp`);
    assert.deepEqual(prm.json.authorization_servers, [m.issuer]);
    assert.equal(prm.json.resource, server.mcpUrl);
  });
});

describe('the official SDK client signs in through the browser', () => {
  test('discovery, registration, sign-in, consent, callback, token, then tools', async () => {
    const callbacks = await callbackServer();
    const provider = memoryProvider(callbacks.url, 'SDK OAuth test');
    try {
      const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider });
      const client = new Client({ name: 'oauth-sdk-test', version: '1.0.0' });
      await assert.rejects(client.connect(transport), UnauthorizedError);
      assert.ok(provider.saved.client?.client_id, 'registered dynamically');
      const authorizationUrl = provider.saved.authorizationUrl;
      assert.equal(authorizationUrl.origin + authorizationUrl.pathname, `${server.baseUrl}/oauth/authorize`);
      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(authorizationUrl.searchParams.get('resource'), server.mcpUrl);

      const callback = await approveInBrowser(authorizationUrl, callbacks,
        { expectText: ['SDK OAuth test', '127.0.0.1', 'read', 'write', 'alice'] });
      assert.equal(callback.searchParams.get('iss'), server.baseUrl);
      assert.equal(callback.searchParams.get('state'), authorizationUrl.searchParams.get('state'));
      const code = callback.searchParams.get('code');
      assert.ok(code);
      await transport.finishAuth(code);
      const access = provider.saved.tokens.access_token;
      const claims = jwtPayload(access);
      assert.equal(claims.aud, server.mcpUrl);
      assert.equal(claims.client_id, provider.saved.client.client_id);
      assert.deepEqual(claims.scopes, ['read', 'write']);
      assert.ok(provider.saved.tokens.refresh_token);

      const connected = new Client({ name: 'oauth-sdk-test', version: '1.0.0' });
      const authed = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider });
      await connected.connect(authed);
      const { tools } = await connected.listTools();
      assert.ok(tools.some((t) => t.name === 'blender_send_message'), tools.map((t) => t.name).join());
      const uuid = randomUUID();
      const [registered] = await callToolJson(connected, 'blender_register_client', { client_uuid: uuid, client_type: 'assistant', client_name: 'oauth-assistant' });
      assert.equal(registered.status, 'ok', JSON.stringify(registered));
      const [listed] = await callToolJson(connected, 'blender_list_available_clients', {});
      assert.ok(JSON.stringify(listed).includes(uuid), JSON.stringify(listed));
      await authed.terminateSession().catch(() => {});
      await connected.close();

      const listedClients = spawnSync(serverBin(), ['oauth', 'clients', '--user', 'alice', '--data-dir', server.dataDir], { encoding: 'utf8' });
      assert.equal(listedClients.status, 0, listedClients.stderr);
      assert.match(listedClients.stdout, new RegExp(`^${provider.saved.client.client_id}\\tname=SDK OAuth test\\tscopes=read,write\\t`, 'm'));
    } finally {
      await callbacks.close();
    }
  });
});

describe('mcp-remote (the bridge desktop assistants use) signs in through the browser', () => {
  test('discovery, registration, sign-in, consent, callback, token, then tools over its stdio', async () => {
    const configDir = await makeDataDir();
    const callbackPort = await freePort();
    // BROWSER=true: mcp-remote's opener "succeeds" without a desktop; the URL
    // it prints goes to headless Chromium instead.
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(REPO_ROOT, 'node_modules/mcp-remote/dist/proxy.js'), server.mcpUrl, String(callbackPort), '--host', '127.0.0.1'],
      env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: 'true' },
      stderr: 'pipe',
    });
    let stderr = '';
    const authorizationUrl = new Promise((resolve) => {
      transport.stderr.setEncoding('utf8').on('data', (chunk) => {
        stderr += chunk;
        const m = /^(http:\/\/\S+\/oauth\/authorize\?\S+)$/m.exec(stderr);
        if (m) resolve(new URL(m[1]));
      });
    });
    const client = new Client({ name: 'oauth-mcp-remote-test', version: '1.0.0' });
    try {
      const connected = client.connect(transport);
      const url = await authorizationUrl;
      assert.equal(url.searchParams.get('resource'), server.mcpUrl);
      const page = await browser.newPage();
      try {
        await page.goto(String(url), { waitUntil: 'load' });
        await page.type('#username', 'alice');
        await page.type('#password', ALICE_PASSWORD);
        await Promise.all([page.waitForNavigation(WAIT), page.click('#sign-in')]);
        assert.match(await page.$eval('main', (m) => m.textContent), /127\.0\.0\.1/);
        await Promise.all([page.waitForNavigation(WAIT), page.click('#approve')]);
        assert.equal(new URL(page.url()).port, String(callbackPort), 'back at mcp-remote\'s callback');
      } finally {
        await page.close();
      }
      await connected;
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'blender_list_available_clients'));
      const uuid = randomUUID();
      const [registered] = await callToolJson(client, 'blender_register_client', { client_uuid: uuid, client_type: 'assistant', client_name: 'via-mcp-remote' });
      assert.equal(registered.status, 'ok', JSON.stringify(registered));
      const [listed] = await callToolJson(client, 'blender_list_available_clients', {});
      assert.ok(JSON.stringify(listed).includes(uuid), JSON.stringify(listed));
    } catch (e) {
      throw new Error(`${e.stack}\nmcp-remote stderr:\n${stderr.slice(-4000)}`);
    } finally {
      await client.close();
      await rm(configDir, { recursive: true, force: true });
    }
  });
});

describe('error paths', () => {
  const redirect = 'http://127.0.0.1:45678/callback';
  let client;
  before(async () => { client = await register(redirect, { application_type: 'native' }); });

  test('a code works once, with its verifier; its reuse revokes what it gave', async () => {
    const { verifier, challenge } = pkce();
    const { code, params } = await authorizeOverHttp(client, redirect, challenge);
    assert.equal(params.get('state'), 'st-1');
    assert.equal(params.get('iss'), server.baseUrl);
    const bad = await exchange(client, redirect, code, pkce().verifier);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'invalid_grant');
    assert.equal(bad.headers['cache-control'], 'no-store');

    const second = pkce();
    const { code: code2 } = await authorizeOverHttp(client, redirect, second.challenge);
    const ok = await exchange(client, redirect, code2, second.verifier);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers['cache-control'], 'no-store');
    assert.equal(ok.json.token_type, 'Bearer');
    assert.equal((await mcpStatus(ok.json.access_token)).status, 200);
    const reused = await exchange(client, redirect, code2, second.verifier);
    assert.equal(reused.json.error, 'invalid_grant');
    const refused = await mcpStatus(ok.json.access_token);
    assert.equal(refused.status, 401);
    assert.match(refused.text, /token has been revoked/);
    void verifier;
  });

  test('a rotated refresh token used again revokes the whole family', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await authorizeOverHttp(client, redirect, challenge);
    const first = (await exchange(client, redirect, code, verifier)).json;
    const second = await token({ grant_type: 'refresh_token', client_id: client.client_id, refresh_token: first.refresh_token, resource: server.mcpUrl });
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.json.refresh_token, first.refresh_token);
    assert.equal((await mcpStatus(second.json.access_token)).status, 200);
    const replay = await token({ grant_type: 'refresh_token', client_id: client.client_id, refresh_token: first.refresh_token });
    assert.equal(replay.json.error, 'invalid_grant');
    const current = await token({ grant_type: 'refresh_token', client_id: client.client_id, refresh_token: second.json.refresh_token });
    assert.equal(current.json.error, 'invalid_grant', 'the current token went with its family');
    assert.equal((await mcpStatus(second.json.access_token)).status, 401);
  });

  test('RFC 6749 error codes at the token endpoint', async () => {
    assert.equal((await token({ grant_type: 'password', client_id: client.client_id })).json.error, 'unsupported_grant_type');
    assert.equal((await token({ client_id: client.client_id })).json.error, 'invalid_request');
    const unknown = await token({ grant_type: 'authorization_code', client_id: 'nobody', code: 'x', redirect_uri: redirect, code_verifier: pkce().verifier });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json.error, 'invalid_client');
    const target = await token({ grant_type: 'authorization_code', client_id: client.client_id, code: 'x', redirect_uri: redirect, code_verifier: pkce().verifier, resource: 'https://elsewhere.example/mcp' });
    assert.equal(target.json.error, 'invalid_target');
  });

  test('an unknown client or redirect is shown a page, never redirected', async () => {
    const { challenge } = pkce();
    const unknownRedirect = await authorizeOverHttp(client, 'https://evil.example/callback', challenge);
    assert.equal(unknownRedirect.stopped.status, 400);
    assert.equal(unknownRedirect.stopped.headers.location, undefined);
    assert.match(unknownRedirect.stopped.text, /not one the application registered/);
    const unknownClient = await authorizeOverHttp({ client_id: 'nobody' }, redirect, challenge);
    assert.equal(unknownClient.stopped.status, 400);
    assert.equal(unknownClient.stopped.headers.location, undefined);
    // Loopback: any port matches (RFC 8252).
    const otherPort = await authorizeOverHttp(client, 'http://127.0.0.1:45999/callback', challenge);
    assert.equal(otherPort.location.port, '45999');
  });

  test('a request without PKCE S256 is refused by redirect, with iss', async () => {
    const query = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: redirect, state: 'p', code_challenge: pkce().challenge, code_challenge_method: 'plain' });
    const res = await rawRequest(`${server.baseUrl}/oauth/authorize?${query}`);
    assert.equal(res.status, 302);
    const location = new URL(res.headers.location);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('state'), 'p');
    assert.equal(location.searchParams.get('iss'), server.baseUrl);
  });

  test('denial redirects with access_denied', async () => {
    const { params } = await authorizeOverHttp(client, redirect, pkce().challenge, { decision: 'deny' });
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('code'), null);
    assert.equal(params.get('iss'), server.baseUrl);
  });

  test('a token for another audience is refused on /mcp; a login token still works', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const forge = (aud) => {
      const body = Buffer.from(JSON.stringify({
        sub: 'alice', username: 'alice', roles: ['user'], scopes: ['read'], gen: 0, token_type: 'access',
        iss: server.baseUrl, iat: now, exp: now + 600, jti: randomUUID(), aud, client_id: client.client_id, grant: 'g',
      })).toString('base64url');
      const sig = createHmac('sha256', SECRET).update(`${header}.${body}`).digest('base64url');
      return `${header}.${body}.${sig}`;
    };
    const other = await mcpStatus(forge('https://elsewhere.example/mcp'));
    assert.equal(other.status, 401);
    assert.match(other.text, /token is for another audience/);
    assert.equal((await mcpStatus(forge(server.mcpUrl))).status, 200, 'the same token for this audience passes');
    const login = await rawRequest(`${server.baseUrl}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: ALICE_PASSWORD }),
    });
    assert.equal((await mcpStatus(login.json.access_token)).status, 200);
  });

  test('a sign-in without the anti-CSRF pair is refused with a page', async () => {
    const query = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: redirect, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    const page = await rawRequest(`${server.baseUrl}/oauth/authorize?${query}`);
    const cookie = /bb_oauth_csrf=([0-9a-f]+)/.exec(page.headers['set-cookie'])[1];
    const fields = Object.fromEntries([...query.entries()]);
    const attempt = (extra, headers) => postForm(`${server.baseUrl}/oauth/authorize`,
      { ...fields, step: 'login', username: 'alice', password: ALICE_PASSWORD, ...extra }, headers);
    const missing = await attempt({}, { cookie: `bb_oauth_csrf=${cookie}` });
    assert.equal(missing.status, 403);
    assert.equal(missing.headers.location, undefined);
    const wrong = await attempt({ csrf: hidden(page.text, 'csrf').slice(0, -2) + 'AA' }, { cookie: `bb_oauth_csrf=${cookie}` });
    assert.equal(wrong.status, 403);
    const noCookie = await attempt({ csrf: hidden(page.text, 'csrf') }, {});
    assert.equal(noCookie.status, 403);
    const otherCookie = await attempt({ csrf: hidden(page.text, 'csrf') }, { cookie: `bb_oauth_csrf=${'0'.repeat(32)}` });
    assert.equal(otherCookie.status, 403);
    const right = await attempt({ csrf: hidden(page.text, 'csrf') }, { cookie: `bb_oauth_csrf=${cookie}` });
    assert.equal(right.status, 200);
    assert.match(right.text, /id="approve"/);
  });

  test('revocation (RFC 7009) ends the grant; `oauth revoke` ends the rest', async () => {
    const a = pkce();
    const tokensA = (await exchange(client, redirect, (await authorizeOverHttp(client, redirect, a.challenge)).code, a.verifier)).json;
    const revoked = await postForm(`${server.baseUrl}/oauth/revoke`, { token: tokensA.refresh_token, client_id: client.client_id });
    assert.equal(revoked.status, 200);
    assert.equal((await mcpStatus(tokensA.access_token)).status, 401);
    assert.equal((await postForm(`${server.baseUrl}/oauth/revoke`, { token: 'whatever' })).status, 200);

    const b = pkce();
    const tokensB = (await exchange(client, redirect, (await authorizeOverHttp(client, redirect, b.challenge)).code, b.verifier)).json;
    assert.equal((await mcpStatus(tokensB.access_token)).status, 200);
    const cli = spawnSync(serverBin(), ['oauth', 'revoke', client.client_id, '--user', 'alice', '--data-dir', server.dataDir], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /Revoked client/);
    // The server sees another process's change within a second or so.
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await mcpStatus(tokensB.access_token)).status;
    }
    assert.equal(status, 401);
    const again = spawnSync(serverBin(), ['oauth', 'revoke', client.client_id, '--user', 'alice', '--data-dir', server.dataDir], { encoding: 'utf8' });
    assert.equal(again.status, 1);
  });

  test('failed sign-ins are throttled like /auth/login', async () => {
    const FROM = '127.0.0.7';
    const query = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: redirect, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    const page = await rawRequest(`${server.baseUrl}/oauth/authorize?${query}`, { localAddress: FROM });
    const cookie = /bb_oauth_csrf=([0-9a-f]+)/.exec(page.headers['set-cookie'])[1];
    const signIn = (password) => postFormFrom(FROM, `${server.baseUrl}/oauth/authorize`,
      { ...Object.fromEntries(query.entries()), step: 'login', csrf: hidden(page.text, 'csrf'), username: 'alice', password },
      { cookie: `bb_oauth_csrf=${cookie}` });
    for (let i = 1; i <= 5; i += 1) {
      const res = await signIn(`wrong-${i}`);
      assert.equal(res.status, 200, res.text);
      assert.match(res.text, /Wrong username or password/);
    }
    // The first delay is a second: what follows the fifth failure comes
    // within it (answers that do no hash work), as on /auth/login.
    const barred = await signIn('wrong-6');
    const rightPassword = await signIn(ALICE_PASSWORD);
    assert.equal(barred.status, 429, barred.text);
    assert.equal(barred.headers['retry-after'], '1');
    assert.equal(barred.headers.location, undefined);
    assert.equal(rightPassword.status, 429);
    // Not from another address.
    const elsewhere = await authorizeOverHttp(client, redirect, pkce().challenge);
    assert.ok(elsewhere.code);
  });
});

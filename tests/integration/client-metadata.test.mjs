// OAuth clients named by a Client ID Metadata Document URL (MCP
// authorization 2025-11-25, draft-ietf-oauth-client-id-metadata-document):
// the server fetches the document from a real local document server, checks
// it, signs the user in naming the client, and refuses what the draft and
// the SSRF guard forbid.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { rawRequest, startServer } from './harness.mjs';
import { pkce, postForm, signInOverHttp } from './oauth-forms.mjs';

const ALICE_PASSWORD = `alice-${randomUUID()}`;
const CALLBACK = 'http://127.0.0.1:45123/callback';

/** A loopback document server: `documents` maps a path to { status, headers, body } or a function of the base URL. */
async function documentServer(documents) {
  const fetched = new Map();
  const srv = http.createServer((req, res) => {
    fetched.set(req.url, (fetched.get(req.url) ?? 0) + 1);
    const entry = documents[req.url];
    if (!entry) { res.writeHead(404); res.end(); return; }
    const { status = 200, headers = {}, body = '' } = typeof entry === 'function' ? entry(base) : entry;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${srv.address().port}`;
  return { base, fetched, close: () => new Promise((resolve) => srv.close(resolve)) };
}

const documentFor = (path, extra = {}) => (base) => ({
  headers: { 'cache-control': 'max-age=600' },
  body: JSON.stringify({ client_id: `${base}${path}`, client_name: 'Metadata Test App', redirect_uris: [CALLBACK], ...extra }),
});

let docs;
let server;
let strict;

before(async () => {
  docs = await documentServer({
    '/good.json': documentFor('/good.json'),
    '/mismatch.json': (base) => documentFor('/mismatch.json', { client_id: `${base}/other.json` })(base),
    '/secret.json': documentFor('/secret.json', { client_secret: 'shared' }),
    '/bad.json': { body: '{"client_id": not json' },
    '/big.json': (base) => documentFor('/big.json', { client_name: 'Big', padding: 'x'.repeat(8 * 1024) })(base),
    '/moved.json': (base) => ({ status: 302, headers: { location: `${base}/good.json` } }),
    '/gone.json': { status: 404 },
  });
  server = await startServer({
    users: [{ username: 'alice', password: ALICE_PASSWORD }],
    args: ['--client-metadata-private-addresses'],
  });
  strict = await startServer({ users: [{ username: 'alice', password: ALICE_PASSWORD }] });
});
after(async () => {
  await server?.stop();
  await strict?.stop();
  await docs?.close();
});

async function authorizePage(target, clientId, redirectUri = CALLBACK) {
  const query = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 's',
    code_challenge: pkce().challenge, code_challenge_method: 'S256', resource: target.mcpUrl,
  });
  return rawRequest(`${target.baseUrl}/oauth/authorize?${query}`);
}

describe('client metadata documents', () => {
  test('the metadata says they are supported', async () => {
    const res = await rawRequest(`${server.baseUrl}/.well-known/oauth-authorization-server`);
    assert.equal(res.json.client_id_metadata_document_supported, true);
  });

  test('a document client signs in, is named on the pages, gets tokens that work on /mcp, and is fetched once', async () => {
    const clientId = `${docs.base}/good.json`;
    const { verifier, challenge } = pkce();
    const signed = await signInOverHttp(server, clientId, CALLBACK, challenge, { password: ALICE_PASSWORD });
    assert.ok(signed.code, JSON.stringify(signed.stopped?.text));
    assert.match(signed.loginPage, /Metadata Test App<\/strong> \(published by <strong>127\.0\.0\.1<\/strong>\)/);
    assert.match(signed.consentPage, /Metadata Test App/);
    assert.ok(signed.consentPage.includes(clientId));
    assert.equal(signed.params.get('iss'), server.baseUrl);
    const tokens = await postForm(`${server.baseUrl}/oauth/token`, {
      grant_type: 'authorization_code', client_id: clientId, code: signed.code, redirect_uri: CALLBACK,
      code_verifier: verifier, resource: server.mcpUrl,
    });
    assert.equal(tokens.status, 200, tokens.text);
    const claims = JSON.parse(Buffer.from(tokens.json.access_token.split('.')[1], 'base64url').toString('utf8'));
    assert.equal(claims.client_id, clientId);
    const mcp = await rawRequest(server.mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.json.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'cimd-test', version: '1' } } }),
    });
    assert.equal(mcp.status, 200, mcp.text);
    const refreshed = await postForm(`${server.baseUrl}/oauth/token`, {
      grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.json.refresh_token,
    });
    assert.equal(refreshed.status, 200, refreshed.text);
    // The page, the sign-in and the consent each read the client: the cache
    // (max-age=600) answered all but the first.
    assert.equal(docs.fetched.get('/good.json'), 1);
  });

  test('a redirect_uri the document does not list is a dead end, never a redirect', async () => {
    const res = await authorizePage(server, `${docs.base}/good.json`, 'http://evil.example/callback');
    assert.equal(res.status, 400);
    assert.equal(res.headers.location, undefined);
    assert.match(res.text, /not one the application registered/);
  });

  for (const [path, why] of [
    ['/mismatch.json', /client_id is not the URL it was fetched from/],
    ['/secret.json', /must not hold a client_secret/],
    ['/bad.json', /not a JSON object/],
    ['/big.json', /could not be fetched/],
    ['/moved.json', /redirects are not followed/],
    ['/gone.json', /answered HTTP 404/],
  ]) {
    test(`a document at ${path} is refused with a page that says why`, async () => {
      const res = await authorizePage(server, `${docs.base}${path}`);
      assert.equal(res.status, 400);
      assert.equal(res.headers.location, undefined);
      assert.match(res.text, why);
      // The token endpoint knows no such client either.
      const tokens = await postForm(`${server.baseUrl}/oauth/token`, {
        grant_type: 'authorization_code', client_id: `${docs.base}${path}`, code: 'x', redirect_uri: CALLBACK, code_verifier: pkce().verifier,
      });
      assert.equal(tokens.json.error, 'invalid_client');
    });
  }

  test('a client_id URL against the draft is refused before any fetch', async () => {
    const before = docs.fetched.get('/good.json');
    for (const [id, why] of [
      [`${docs.base}/good.json?x=1`, /must not have a query/],
      [`${docs.base}/a/../good.json`, /segments/],
      [`${docs.base}/good.json#f`, /fragment/],
    ]) {
      const res = await authorizePage(server, id);
      assert.equal(res.status, 400, id);
      assert.match(res.text, why, id);
    }
    assert.equal(docs.fetched.get('/good.json'), before);
  });

  test('without the operator allowance, loopback and private targets are refused (SSRF guard), nothing is fetched', async () => {
    const fetchedBefore = [...docs.fetched.values()].reduce((a, b) => a + b, 0);
    const port = new URL(docs.base).port;
    for (const [id, why] of [
      [`https://127.0.0.1:${port}/good.json`, /not a public address/],
      [`https://localhost:${port}/good.json`, /not a public address/],
      [`https://[::1]:${port}/good.json`, /not a public address/],
      [`https://169.254.169.254/latest/meta-data`, /not a public address/],
      [`https://10.0.0.1/client.json`, /not a public address/],
      [`${docs.base}/good.json`, /must be https/],
    ]) {
      const res = await authorizePage(strict, id);
      assert.equal(res.status, 400, id);
      assert.match(res.text, why, id);
    }
    assert.equal([...docs.fetched.values()].reduce((a, b) => a + b, 0), fetchedBefore);
  });

  test('--no-client-metadata-documents turns them off', async () => {
    const off = await startServer({ users: [{ username: 'alice', password: ALICE_PASSWORD }], args: ['--no-client-metadata-documents'] });
    try {
      const meta = await rawRequest(`${off.baseUrl}/.well-known/oauth-authorization-server`);
      assert.equal(meta.json.client_id_metadata_document_supported, false);
      const res = await authorizePage(off, `${docs.base}/good.json`);
      assert.equal(res.status, 400);
      assert.match(res.text, /does not accept client metadata documents/);
    } finally {
      await off.stop();
    }
  });
});

// External OpenID Connect issuers (issue 15 §2), against the real binary and
// a local test issuer (oidc-issuer.mjs: discovery and JWKS on loopback):
// accepted are RS256 and ES256 tokens for our audience, and a token signed
// with a key the issuer published after the server read its set (rotation);
// refused are a wrong key, another audience, an expired token, alg none, and
// HS256 signed with the public key as secret. An external user drives the
// bus through the official SDK under "oidc:<sub>", apart from the built-in
// users, who still sign in; the protected-resource metadata names the issuer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { callToolJson, connectClient, login, rawRequest, startServer, userCommand } from './harness.mjs';
import { TestIssuer } from './oidc-issuer.mjs';

const ALICE = { username: 'alice', password: 'alice-password-1' };

describe('tokens of an external OpenID Connect issuer', () => {
  let issuer;
  let server;
  let rsa;
  let ec;
  before(async () => {
    issuer = new TestIssuer();
    await issuer.start();
    rsa = issuer.addKey('RS256');
    ec = issuer.addKey('ES256');
    server = await startServer({
      users: [ALICE],
      args: ['--oidc-issuer', issuer.url, '--oidc-audience', 'blender-bus'],
    });
  });
  after(async () => {
    await server?.stop();
    await issuer?.stop();
  });

  const profile = (token) => rawRequest(`${server.baseUrl}/auth/profile`, { headers: { authorization: `Bearer ${token}` } });
  async function refused(token, detail) {
    const r = await profile(token);
    assert.equal(r.status, 401, r.text);
    assert.deepEqual(r.json, { detail: `Invalid token: ${detail}` });
  }

  test('RS256 and ES256 tokens for our audience are accepted, as oidc:<sub>', async () => {
    for (const key of [rsa, ec]) {
      const r = await profile(issuer.token(key, { scope: 'read write' }));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { user_id: 'oidc:artist-1', username: 'oidc:artist-1', roles: ['user'], scopes: ['read', 'write'] });
    }
    const listed = await profile(issuer.token(rsa, { aud: ['other', 'blender-bus'] }));
    assert.equal(listed.status, 200, 'an aud list naming us is ours');
  });

  test('refused: a wrong key, another audience, expired, not yet valid, alg none, HS256 with the public key, another issuer\'s claim', async () => {
    const stranger = new TestIssuer();
    stranger.url = issuer.url;  // same iss and kid, a key the issuer never published
    const forger = stranger.addKey('RS256');
    forger.kid = rsa.kid;
    await refused(stranger.token(forger), 'signature verification failed');
    await refused(issuer.token(rsa, { aud: 'someone-else' }), 'wrong audience');
    const now = Math.floor(Date.now() / 1000);
    await refused(issuer.token(ec, { exp: now - 120 }), 'token has expired');
    await refused(issuer.token(ec, { nbf: now + 600 }), 'token is not yet valid');
    await refused(issuer.token(rsa, {}, { alg: 'RS256', kid: ec.kid }), 'unknown signing key');
    await refused(issuer.unsigned(), 'algorithm must be RS256 or ES256');
    await refused(issuer.hmacWithPublicKey(rsa), 'algorithm must be RS256 or ES256');
    await refused(issuer.token(rsa, { sub: '' }), 'token has no sub');
    // A token claiming our own issuer is judged as ours (and fails our HS256 check).
    const r = await profile(issuer.token(rsa, { iss: server.baseUrl }));
    assert.equal(r.status, 401);
    assert.equal(r.json.detail, 'Invalid token: algorithm must be HS256');
  });

  test('a key published after the server read the set (rotation) is accepted once the server reads it again', async () => {
    const reads = issuer.jwksReads;
    const rotated = issuer.addKey('ES256');
    const token = issuer.token(rotated);
    // The first use names an unknown key id: refused, and the set is read again (at most every 10 s).
    const deadline = Date.now() + 30_000;
    let r;
    do {
      r = await profile(token);
      if (r.status === 200) break;
      assert.equal(r.json.detail, 'Invalid token: unknown signing key');
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    assert.equal(r.status, 200, r.text);
    assert.ok(issuer.jwksReads > reads);
    // Forged key ids do not make the server read the set on every request.
    const before = issuer.jwksReads;
    for (let i = 0; i < 20; i++) await profile(issuer.token(rotated, {}, { kid: `forged-${i}` }));
    assert.ok(issuer.jwksReads - before <= 1, `read ${issuer.jwksReads - before} times`);
  });

  test('an external user drives their own bus through the official SDK, apart from the built-in users', async () => {
    const external = await connectClient(server, { token: issuer.token(rsa, { sub: 'alice' }) });
    const builtIn = await connectClient(server, { token: (await login(server, ALICE.username, ALICE.password)).access_token });
    try {
      const [registered] = await callToolJson(external.client, 'blender_register_client',
        { client_uuid: 'ext-worker', client_type: 'blender' });
      assert.equal(registered.status, 'ok', JSON.stringify(registered));
      const [theirs] = await callToolJson(external.client, 'blender_list_available_clients', {});
      assert.equal(theirs.user_id, 'oidc:alice');
      const [ours] = await callToolJson(builtIn.client, 'blender_list_available_clients', {});
      assert.equal(ours.user_id, 'alice');
      assert.ok(![...ours.persistent, ...ours.ephemeral].some((c) => c.uuid === 'ext-worker'),
        'the built-in alice does not see the external alice\'s client');
    } finally {
      await external.close();
      await builtIn.close();
    }
  });

  test('the protected-resource metadata names the issuer first; built-in names may not take its prefix', async () => {
    const r = await rawRequest(`${server.baseUrl}/.well-known/oauth-protected-resource`);
    assert.deepEqual(r.json.authorization_servers, [issuer.url, server.baseUrl]);
    const refusedName = userCommand(server.dataDir, 'add', 'oidc:mallory', { password: 'mallory-password-1', expectStatus: 1 });
    assert.match(refusedName.stderr, /must not start with 'oidc:'/);
  });
});

describe('--oidc-* flags are checked at start', () => {
  for (const [args, message] of [
    [['--oidc-issuer', 'http://idp.example.com', '--oidc-audience', 'a'], /must be an https URL/],
    [['--oidc-issuer', 'https://idp.example.com'], /needs --oidc-audience/],
    [['--oidc-audience', 'a'], /needs --oidc-issuer/],
  ]) {
    test(`refuses ${args.join(' ')}`, async () => {
      await assert.rejects(startServer({ args }), message);
    });
  }
});

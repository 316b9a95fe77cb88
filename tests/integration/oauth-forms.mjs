// The built-in authorization server's forms driven over plain HTTP, as a
// browser without JavaScript would post them (shared by the OAuth suites).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import { rawRequest } from './harness.mjs';

export function form(fields) {
  return new URLSearchParams(fields).toString();
}

export async function postForm(url, fields, headers = {}) {
  return rawRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function hidden(html, name) {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? m[1].replaceAll('&quot;', '"').replaceAll('&amp;', '&') : undefined;
}

/**
 * Sign-in and consent at `server` for `clientId`. Returns { location, code,
 * params, loginPage, consentPage } of the final redirect, or the response
 * that stopped it ({ stopped }).
 */
export async function signInOverHttp(server, clientId, redirectUri, challenge, { username = 'alice', password, decision = 'approve', state = 'st-1' } = {}) {
  const query = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state,
    code_challenge: challenge, code_challenge_method: 'S256', resource: server.mcpUrl,
  });
  const page = await rawRequest(`${server.baseUrl}/oauth/authorize?${query}`);
  if (page.status !== 200) return { stopped: page };
  const cookie = /bb_oauth_csrf=([0-9a-f]+)/.exec(page.headers['set-cookie'])[1];
  const fields = {};
  for (const name of ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'resource', 'step', 'csrf']) {
    fields[name] = hidden(page.text, name);
  }
  const signedIn = await postForm(`${server.baseUrl}/oauth/authorize`,
    { ...fields, username, password }, { cookie: `bb_oauth_csrf=${cookie}` });
  if (signedIn.status !== 200 || !signedIn.text.includes('id="approve"')) return { stopped: signedIn };
  const approved = await postForm(`${server.baseUrl}/oauth/authorize`,
    { step: 'consent', ticket: hidden(signedIn.text, 'ticket'), csrf: hidden(signedIn.text, 'csrf'), decision },
    { cookie: `bb_oauth_csrf=${cookie}` });
  assert.equal(approved.status, 303, approved.text);
  const location = new URL(approved.headers.location);
  return { location, code: location.searchParams.get('code'), params: location.searchParams, loginPage: page.text, consentPage: signedIn.text };
}

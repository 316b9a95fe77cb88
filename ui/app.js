// The blender-bus dashboard. Signs in through /auth/login, or through the
// server's own OAuth 2.1 authorization server (authorization code with PKCE,
// as a public client the page registers), keeps the access
// and refresh tokens in this script's memory only (no cookie, no storage),
// refreshes the access token before it expires (and once more when the
// server ends the stream or answers 401), and reads
// GET /ui/events, the server's SSE stream, through fetch() so that the
// token travels in the Authorization header. Every client-supplied string
// is written with textContent: nothing from the bus is ever parsed as HTML.
'use strict';

const el = (id) => document.getElementById(id);
let token = null;
let refreshToken = null;
let refreshTimer = null;
let refreshing = null;      // the one refresh in flight: a refresh token works once
let oauthClientId = null;   // signed in through the authorization server: its client id
let tokenEndpoint = null;   // and its token endpoint
let username = null;
let stream = null;          // AbortController of the open events request
let lastState = null;
let serverTime = null;      // Unix seconds, from the last rates event
const history = [];         // [{ records, sends }], oldest first
const HISTORY = 120;

function node(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function cell(text, className) { return node('td', text, className); }

function ago(seconds) {
  if (!(seconds >= 0)) return '';
  if (seconds < 60) return `${Math.floor(seconds)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

function duration(job) {
  if (!job.opened_at) return '';
  const end = job.open ? serverTime : job.updated_at;
  if (!end) return '';
  const s = Math.max(0, end - job.opened_at);
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(0)} s`;
}

function clientState(c) {
  if (c.online) return 'online';
  return c.stale ? 'stale' : 'offline';
}

// Rotates the tokens; true when a new access token is in hand.
async function refreshTokens() {
  if (!refreshToken) return false;
  let res;
  try {
    res = oauthClientId
      ? await fetch(tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: oauthClientId }),
      })
      : await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
  } catch {
    return false;
  }
  if (!res.ok) return false;
  let body = {};
  try { body = await res.json(); } catch { return false; }
  if (!body.access_token) return false;
  token = body.access_token;
  refreshToken = body.refresh_token ?? refreshToken;
  scheduleRefresh(body.expires_in);
  return true;
}

function refreshOnce() {
  refreshing ??= refreshTokens().finally(() => { refreshing = null; });
  return refreshing;
}

// At 80% of the access token's life, rotate it and reopen the events stream
// with the new one (the server ends a stream whose token expired).
function scheduleRefresh(expiresIn) {
  clearTimeout(refreshTimer);
  if (!(expiresIn > 0)) return;
  refreshTimer = setTimeout(async () => {
    if (await refreshOnce()) restartStream();
  }, Math.max(5, expiresIn * 0.8) * 1000);
}

function restartStream() {
  const old = stream;
  stream = null;
  old?.abort();
  follow();
}

async function post(path, body) {
  const send = () => fetch(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  let res = await send();
  if (res.status === 401 && await refreshOnce()) res = await send();
  if (!res.ok) {
    let detail = `${res.status}`;
    try { detail = (await res.json()).detail ?? detail; } catch { /* not JSON */ }
    el('status').textContent = `${path}: ${detail}`;
  }
}

function actionButton(label, onClick) {
  const b = node('button', label, 'small');
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function emptyRow(text, columns) {
  const row = node('tr');
  const empty = cell(text, 'empty');
  empty.colSpan = columns;
  row.append(empty);
  return row;
}

function clientsTable(bus) {
  const table = node('table');
  table.className = 'clients';
  const head = node('tr');
  // A cluster node names the node holding each client's feed; a single server has none.
  const clustered = lastState.node !== undefined;
  const headings = ['uuid', 'label', 'type', 'group', 'state', 'last seen', 'pending', 'dropped',
    'capabilities', ''];
  if (clustered) headings.splice(5, 0, 'node');
  for (const h of headings) head.append(node('th', h));
  table.append(head);
  const clients = [...bus.clients].sort((a, b) =>
    String(a.group_id ?? '').localeCompare(String(b.group_id ?? '')) || a.uuid.localeCompare(b.uuid));
  for (const c of clients) {
    const row = node('tr');
    row.setAttribute('data-uuid', c.uuid);
    const state = clientState(c);
    row.append(cell(c.uuid, 'mono uuid'), cell(c.label ?? ''), cell(c.client_type),
      cell(c.group_id ?? ''), cell(state, `state ${state}`));
    if (clustered) row.append(cell(c.node ?? '', 'mono node'));
    row.append(cell(serverTime ? ago(serverTime - c.last_seen) : ''), cell(c.pending_records),
      cell(c.dropped_records), cell((c.capabilities ?? []).join(', ')));
    const actions = cell('');
    if (!c.online) {
      actions.append(actionButton('Remove', () =>
        post('/ui/api/remove-client', { user_id: bus.user_id, client_uuid: c.uuid })));
    }
    row.append(actions);
    table.append(row);
  }
  if (clients.length === 0) table.append(emptyRow('no clients', headings.length));
  return table;
}

function jobsTable(bus) {
  const table = node('table');
  table.className = 'jobs';
  const head = node('tr');
  for (const h of ['job', 'originator', 'target', 'status', 'duration', 'result / error', '']) {
    head.append(node('th', h));
  }
  table.append(head);
  for (const j of bus.jobs) {
    const row = node('tr');
    row.setAttribute('data-job', j.job_id);
    const progress = j.open && j.progress !== null ? ` ${Math.round(j.progress * 100)}%` : '';
    row.append(cell(j.job_id, 'mono'), cell(j.originator, 'mono'), cell(j.target, 'mono'),
      cell(j.status + progress, `job ${j.status}`), cell(duration(j)),
      cell([j.result, j.error, j.open ? j.progress_message : null].filter(Boolean).join('\n'), 'output'));
    const actions = cell('');
    if (j.open) {
      actions.append(actionButton('Cancel', () =>
        post('/ui/api/cancel-job', { user_id: bus.user_id, job_id: j.job_id })));
    }
    row.append(actions);
    table.append(row);
  }
  if (bus.jobs.length === 0) table.append(emptyRow('no jobs', 7));
  return table;
}

// A shared bus by its name and bus_id, and the viewer's role when a member.
function busHeading(bus) {
  if (!bus.bus_id) return `Bus of ${bus.user_id}`;
  const name = bus.name ? `${bus.name} (${bus.bus_id})` : bus.bus_id;
  return bus.role ? `Shared bus ${name}, you are ${bus.role}` : `Shared bus ${name}`;
}

function render() {
  const buses = el('buses');
  if (!lastState) return;
  el('served-by').textContent = lastState.node !== undefined ? `node ${lastState.node}` : '';
  const parts = [];
  for (const bus of lastState.buses) {
    const section = node('section', undefined, 'bus');
    section.setAttribute('data-user', bus.user_id);
    section.append(node('h2', busHeading(bus)), node('h3', 'Clients'), clientsTable(bus),
      node('h3', 'Jobs'), jobsTable(bus));
    parts.push(section);
  }
  if (parts.length === 0) parts.push(node('p', 'No bus yet: no client has registered.', 'empty'));
  buses.replaceChildren(...parts);
}

function drawChart() {
  const canvas = el('chart');
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const max = Math.max(1, ...history.map((p) => Math.max(p.records, p.sends)));
  ctx.strokeStyle = '#d6dbe0';
  ctx.lineWidth = 1;
  for (let i = 1; i < 4; ++i) {
    const y = Math.round((height * i) / 4) + 0.5;
    ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(width, y); ctx.stroke();
  }
  ctx.fillStyle = '#66707a';
  ctx.font = '11px sans-serif';
  ctx.fillText(`${Math.round(max)}/s`, 4, 12);
  const line = (key, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    history.forEach((p, i) => {
      const x = width - (history.length - 1 - i) * (width / (HISTORY - 1));
      const y = height - 2 - (p[key] / max) * (height - 16);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  line('records', '#2f6fb5');
  line('sends', '#d08a2c');
}

function onEvent(name, data) {
  if (name === 'state') {
    lastState = JSON.parse(data);
    render();
  } else if (name === 'rates') {
    const r = JSON.parse(data);
    serverTime = r.time;
    history.push({ records: r.records_per_second, sends: r.sends_per_second });
    if (history.length > HISTORY) history.shift();
    el('records-rate').textContent = r.records_per_second.toFixed(1);
    el('sends-rate').textContent = r.sends_per_second.toFixed(1);
    drawChart();
    render();  // the "last seen" and running jobs' durations move on
  }
}

// Reads the stream as SSE (https://html.spec.whatwg.org/#event-stream-interpretation):
// events end with a blank line; "event:" names them, "data:" carries them.
async function readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onEvent(name, data.join('\n'));
    }
  }
}

async function follow() {
  const controller = new AbortController();
  stream = controller;
  while (stream === controller) {
    try {
      const res = await fetch('/ui/events', {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (res.status === 401) {
        if (await refreshOnce() && stream === controller) continue;
        if (stream === controller) signOut('Your session has ended; sign in again.');
        return;
      }
      if (!res.ok) throw new Error(`events: ${res.status}`);
      el('status').textContent = 'Live';
      await readEvents(res.body);
      if (stream !== controller) return;
      // The server ended the stream: a token that expired (refresh it) or
      // was revoked (the refresh token was revoked with it).
      if (await refreshOnce() && stream === controller) continue;
      if (stream === controller) signOut('Your session has ended; sign in again.');
      return;
    } catch (e) {
      if (stream !== controller) return;
      el('status').textContent = `Connection lost (${e.message}); reconnecting…`;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

function signOut(message) {
  const controller = stream;
  stream = null;
  if (oauthClientId && refreshToken) {
    // Revoking the refresh token ends the grant, its access tokens with it.
    fetch('/oauth/revoke', { method: 'POST', body: new URLSearchParams({ token: refreshToken, client_id: oauthClientId }) })
      .catch(() => {});
  }
  oauthClientId = null;
  tokenEndpoint = null;
  token = null;
  refreshToken = null;
  clearTimeout(refreshTimer);
  lastState = null;
  controller?.abort();
  el('dashboard').hidden = true;
  el('sign-out').hidden = true;
  el('login').hidden = false;
  el('who').textContent = '';
  el('buses').replaceChildren();
  el('login-error').textContent = message ?? '';
}

// Tokens in hand (from the form or the token endpoint): the dashboard opens.
function signedIn(tokens, user) {
  token = tokens.access_token;
  refreshToken = tokens.refresh_token ?? null;
  scheduleRefresh(tokens.expires_in);
  username = user.username;
  el('password').value = '';
  el('login').hidden = true;
  el('dashboard').hidden = false;
  el('sign-out').hidden = false;
  el('who').textContent = `${username}${(user.roles ?? []).includes('admin') ? ' (admin: every bus)' : ''}`;
  follow();
}

el('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  el('login-error').textContent = '';
  const name = el('username').value;
  let res;
  try {
    res = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: name, password: el('password').value }),
    });
  } catch (e) {
    el('login-error').textContent = `Cannot reach the server: ${e.message}`;
    return;
  }
  let body = {};
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    el('login-error').textContent = body.detail ?? `Sign-in failed (${res.status})`;
    return;
  }
  signedIn(body, { username: body.user?.username ?? name, roles: body.user?.roles });
});

el('sign-out').addEventListener('click', () => signOut());

// Sign-in through the authorization server. What must outlive the trip to
// its sign-in page (the PKCE verifier, the state, the client id) waits in
// this tab's sessionStorage and is removed the moment the page is back; the
// tokens then stay in memory, as for the form. Web Crypto needs a secure
// context: HTTPS, or the server on localhost.
const OAUTH_PENDING = 'blender-bus-oauth-pending';

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const randomText = (bytes) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

async function jsonOf(res) {
  try { return await res.json(); } catch { return {}; }
}

async function oauthStart() {
  const metadata = await jsonOf(await fetch('/.well-known/oauth-authorization-server'));
  const redirectUri = `${location.origin}/ui/`;
  const registered = await fetch(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [redirectUri], client_name: 'blender-bus dashboard',
      // The server's rule (OpenID Connect Registration): a loopback
      // redirect is a native application's, any other a web one's.
      application_type: ['127.0.0.1', '[::1]', 'localhost'].includes(location.hostname) ? 'native' : 'web',
      token_endpoint_auth_method: 'none' }),
  });
  const client = await jsonOf(registered);
  if (!registered.ok) throw new Error(client.error_description ?? client.error ?? `registration ${registered.status}`);
  const verifier = randomText(32);
  const state = randomText(16);
  const challenge = base64url(new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(OAUTH_PENDING, JSON.stringify({ verifier, state, clientId: client.client_id,
    issuer: metadata.issuer, tokenEndpoint: metadata.token_endpoint, redirectUri }));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({ response_type: 'code', client_id: client.client_id,
    redirect_uri: redirectUri, state, code_challenge: challenge, code_challenge_method: 'S256',
    scope: 'read write', resource: `${metadata.issuer}/mcp` });
  location.assign(url);
}

el('oauth-sign-in').addEventListener('click', () => {
  el('login-error').textContent = '';
  oauthStart().catch((e) => { el('login-error').textContent = `Sign-in failed: ${e.message}`; });
});

// Back from the authorization server with ?code= (or ?error=): the code is
// exchanged once, and leaves the address bar at once.
async function oauthReturn(params) {
  const pending = JSON.parse(sessionStorage.getItem(OAUTH_PENDING) ?? 'null');
  sessionStorage.removeItem(OAUTH_PENDING);
  window.history.replaceState(null, '', '/ui/');
  if (!pending || params.get('state') !== pending.state) throw new Error('this sign-in was not started here');
  // RFC 9207: the answer must come from the issuer the page asked.
  if (params.get('iss') !== pending.issuer) throw new Error('the answer came from another issuer');
  if (params.has('error')) throw new Error(params.get('error_description') ?? params.get('error'));
  const res = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'),
      redirect_uri: pending.redirectUri, code_verifier: pending.verifier, client_id: pending.clientId,
      resource: `${pending.issuer}/mcp` }),
  });
  const tokens = await jsonOf(res);
  if (!res.ok || !tokens.access_token) throw new Error(tokens.error_description ?? tokens.error ?? `token ${res.status}`);
  const profile = await fetch('/auth/profile', { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  const user = await jsonOf(profile);
  if (!profile.ok) throw new Error(user.detail ?? `profile ${profile.status}`);
  oauthClientId = pending.clientId;
  tokenEndpoint = pending.tokenEndpoint;
  signedIn(tokens, user);
}

{
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    oauthReturn(params).catch((e) => { el('login-error').textContent = `Sign-in failed: ${e.message}`; });
  }
}

// The dashboard at /ui/ (issue 17) in Debian's headless Chromium, driven by
// puppeteer-core (no browser download: /usr/bin/chromium, installed by
// scripts/test). Real server, official SDK clients as the bus's peers. The
// page signs in through its own form and follows the server's SSE feed;
// nothing here reloads it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium } from './chromium.mjs';
import {
  REPO_ROOT, callToolJson, collectMessages, connectClient, login, openSse, rawRequest, startServer,
} from './harness.mjs';

const ARTIFACTS = process.env.BLENDER_BUS_ARTIFACTS ?? path.join(REPO_ROOT, 'tests/integration/artifacts');
const ADMIN_PASSWORD = `admin-${randomUUID()}`;
const DEMO_PASSWORD = `demo-${randomUUID()}`;
const WAIT = { timeout: 20_000 };

let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  server = await startServer({ env: { ADMIN_PASSWORD, DEMO_PASSWORD } });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  // A Content-Security-Policy violation is reported as a console error.
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The text of the client row whose uuid cell is exactly `uuid` ('' when absent). */
function clientRow(uuid) {
  return page.evaluate((u) => {
    const row = [...document.querySelectorAll('tr[data-uuid]')].find((r) => r.getAttribute('data-uuid') === u);
    return row ? row.querySelector('.state').textContent : '';
  }, uuid);
}

function waitForClient(uuid, state) {
  return page.waitForFunction((u, s) => {
    const row = [...document.querySelectorAll('tr[data-uuid]')].find((r) => r.getAttribute('data-uuid') === u);
    return row && (s === null ? true : row.querySelector('.state').textContent === s);
  }, WAIT, uuid, state);
}

function waitForJob(jobId, predicate) {
  return page.waitForFunction((id, want) => {
    const row = [...document.querySelectorAll('tr[data-job]')].find((r) => r.getAttribute('data-job') === id);
    return row && row.textContent.includes(want);
  }, WAIT, jobId, predicate);
}

function clickInJobRow(jobId, label) {
  return page.evaluate((id, l) => {
    const row = [...document.querySelectorAll('tr[data-job]')].find((r) => r.getAttribute('data-job') === id);
    [...row.querySelectorAll('button')].find((b) => b.textContent === l).click();
  }, jobId, label);
}

async function call(conn, name, args) {
  const [json] = await callToolJson(conn.client, name, args);
  return json;
}

describe('the dashboard', () => {
  test('is served with a strict Content-Security-Policy and no inline script', async () => {
    const res = await rawRequest(`${server.baseUrl}/ui/`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.headers['content-security-policy'], /default-src 'self'/);
    assert.doesNotMatch(res.headers['content-security-policy'], /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(res.text, /<script>|<script [^>]*>[^<]|<style|style=/);
    assert.equal((await rawRequest(`${server.baseUrl}/`)).headers.location, '/ui/');
    assert.equal((await rawRequest(`${server.baseUrl}/ui/events`)).status, 401);
  });

  test('signs in, and shows clients, jobs and their changes live', async () => {
    await page.goto(`${server.baseUrl}/ui/`, { waitUntil: 'load' });
    await page.type('#username', 'admin');
    await page.type('#password', ADMIN_PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => document.getElementById('status').textContent === 'Live', WAIT);
    assert.equal(await page.$eval('#login', (f) => getComputedStyle(f).display), 'none');

    const token = (await login(server, 'admin', ADMIN_PASSWORD)).access_token;
    const worker = await connectClient(server, { token, name: 'worker' });
    const llm = await connectClient(server, { token, name: 'llm' });
    const hostile = await connectClient(server, { token, name: 'hostile' });
    try {
      const replies = collectMessages(llm.client);
      await worker.streamOpened;
      await llm.streamOpened;
      const uuid = `worker-${randomUUID()}`;
      await call(worker, 'blender_register_client', { client_uuid: uuid, client_type: 'blender',
        is_persistent: true, capabilities: ['python_execution'], group_id: 'render', label: 'studio-1' });
      // A registration appears without a reload.
      await waitForClient(uuid, 'online');
      // A single server has no nodes: no node column, no node named.
      assert.ok(!(await page.$$eval('table.clients th', (hs) => hs.map((h) => h.textContent))).includes('node'));
      assert.equal(await page.$eval('#served-by', (e) => e.textContent), '');

      const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
      await call(hostile, 'blender_register_client', { client_uuid: evil, client_type: 'llm', group_id: '<b>g</b>' });
      await waitForClient(evil, null);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.equal(await page.$$eval('#buses img, #buses script, #buses b', (n) => n.length), 0);

      // A job sent with from_uuid shows as open, then completed with its result.
      await call(llm, 'blender_register_client', { client_uuid: 'llm-1', client_type: 'llm' });
      const jobId = `job-${randomUUID()}`;
      await call(llm, 'blender_send_message', { target_uuid: uuid, from_uuid: 'llm-1',
        payload: { message_type: 'job_dispatch', job_id: jobId, script: 'print(1)' } });
      await waitForJob(jobId, 'pending');
      await call(worker, 'blender_job_update', { job_id: jobId, status: 'completed', result: 'objects: 3' });
      await waitForJob(jobId, 'completed');
      await waitForJob(jobId, 'objects: 3');

      // Cancel from the page: the originator hears a `cancelled` update.
      const pending = `job-${randomUUID()}`;
      await call(llm, 'blender_send_message', { target_uuid: uuid, from_uuid: 'llm-1',
        payload: { message_type: 'job_dispatch', job_id: pending, script: 'print(2)' } });
      await waitForJob(pending, 'pending');
      await clickInJobRow(pending, 'Cancel');
      const [cancelled] = await replies.waitFor(1, { logger: '_message_bus',
        filter: (r) => r.data?.payload?.job_id === pending && r.data.payload.status === 'cancelled' });
      assert.equal(cancelled.data.payload.kind, 'job_update');
      assert.match(cancelled.data.payload.error, /cancelled from the dashboard by admin/);
      await waitForJob(pending, 'cancelled');

      // The worker's session ends: its persistent client turns offline.
      await worker.close();
      await waitForClient(uuid, 'offline');

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

      // Removing it from the page takes it off the bus.
      await page.evaluate((u) => {
        const row = [...document.querySelectorAll('tr[data-uuid]')].find((r) => r.getAttribute('data-uuid') === u);
        row.querySelector('button').click();
      }, uuid);
      await page.waitForFunction((u) => ![...document.querySelectorAll('tr[data-uuid]')]
        .some((r) => r.getAttribute('data-uuid') === u), WAIT, uuid);
      const listed = await call(llm, 'blender_list_available_clients', {});
      assert.ok(!listed.persistent.some((c) => c.uuid === uuid));
      assert.equal(await clientRow(uuid), '');
    } finally {
      await worker.close();
      await llm.close();
      await hostile.close();
    }
    assert.deepEqual(pageErrors, []);
  });

  test('a user who is not an admin sees only their own bus, and acts only on it', async () => {
    const demo = (await login(server, 'demo', DEMO_PASSWORD)).access_token;
    const conn = await connectClient(server, { token: demo, name: 'demo' });
    try {
      await call(conn, 'blender_register_client', { client_uuid: 'demo-1', client_type: 'llm' });
      const stream = await openSse(`${server.baseUrl}/ui/events`, { headers: { authorization: `Bearer ${demo}` } });
      try {
        assert.equal(stream.status, 200);
        const first = await stream.next();
        assert.equal(first.event, 'state');
        assert.deepEqual(first.json.buses.map((b) => b.user_id), ['demo']);
      } finally {
        stream.close();
      }
      const res = await rawRequest(`${server.baseUrl}/ui/api/remove-client`, {
        method: 'POST', headers: { authorization: `Bearer ${demo}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'admin', client_uuid: 'llm-1' }),
      });
      assert.equal(res.status, 403);
      const online = await rawRequest(`${server.baseUrl}/ui/api/remove-client`, {
        method: 'POST', headers: { authorization: `Bearer ${demo}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'demo', client_uuid: 'demo-1' }),
      });
      assert.equal(online.status, 409);
    } finally {
      await conn.close();
    }
  });

  test('an admin sees a shared bus by its bus_id, never by its internal key', async () => {
    const admin = (await login(server, 'admin', ADMIN_PASSWORD)).access_token;
    const conn = await connectClient(server, { token: admin, name: 'admin-shared' });
    try {
      const created = await call(conn, 'blender_bus_create', { name: 'dashboard-farm' });
      assert.equal(created.status, 'ok', JSON.stringify(created));
      const busId = created.bus.bus_id;
      const registered = await call(conn, 'blender_register_client',
        { client_uuid: 'farm-llm', client_type: 'llm', bus_id: busId });
      assert.equal(registered.status, 'ok', JSON.stringify(registered));
      const stream = await openSse(`${server.baseUrl}/ui/events`, { headers: { authorization: `Bearer ${admin}` } });
      try {
        const first = await stream.next();
        assert.equal(first.event, 'state');
        const shared = first.json.buses.find((b) => b.bus_id === busId);
        assert.ok(shared, JSON.stringify(first.json.buses.map((b) => [b.user_id, b.bus_id])));
        assert.deepEqual(shared.clients.map((c) => c.uuid), ['farm-llm']);
        for (const b of first.json.buses) {
          if (b.bus_id === undefined) assert.ok(!b.user_id.startsWith('\u001f'), JSON.stringify(b.user_id));
        }
      } finally {
        stream.close();
      }
      // The page (still signed in as admin, the bus's owner) names it.
      const heading = `Shared bus dashboard-farm (${busId}), you are owner`;
      await page.waitForFunction((h) => [...document.querySelectorAll('section.bus h2')]
        .some((e) => e.textContent === h), WAIT, heading);
    } finally {
      await conn.close();
    }
  });

  test('a member sees the shared buses they belong to, and acts there only as the tools allow', async () => {
    const admin = (await login(server, 'admin', ADMIN_PASSWORD)).access_token;
    const demo = (await login(server, 'demo', DEMO_PASSWORD)).access_token;
    const owner = await connectClient(server, { token: admin, name: 'owner' });
    let ownerOpen = true;
    const events = () => openSse(`${server.baseUrl}/ui/events`, { headers: { authorization: `Bearer ${demo}` } });
    const act = (body) => rawRequest(`${server.baseUrl}/ui/api/remove-client`, {
      method: 'POST', headers: { authorization: `Bearer ${demo}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    try {
      const created = await call(owner, 'blender_bus_create', { name: 'team-render' });
      const busId = created.bus.bus_id;
      assert.equal((await call(owner, 'blender_register_client',
        { client_uuid: 'team-blender', client_type: 'blender', is_persistent: true, bus_id: busId })).status, 'ok');

      // Not a member yet: the bus is not shown, and acting on it is "bus not found".
      let stream = await events();
      try {
        const first = await stream.next();
        assert.ok(!first.json.buses.some((b) => b.bus_id === busId), JSON.stringify(first.json.buses));
      } finally {
        stream.close();
      }
      const key = `\u001f${busId}`;
      const outsider = await act({ user_id: key, client_uuid: 'team-blender' });
      assert.equal(outsider.status, 404);
      assert.equal(outsider.json.detail, 'bus not found');

      const invited = await call(owner, 'blender_bus_invite', { bus_id: busId, username: 'demo', role: 'member' });
      const member = await connectClient(server, { token: demo, name: 'member' });
      try {
        assert.equal((await call(member, 'blender_bus_join', { code: invited.invitation.code })).status, 'ok');
        assert.equal((await call(member, 'blender_register_client',
          { client_uuid: 'demo-render', client_type: 'blender', is_persistent: true, bus_id: busId })).status, 'ok');
      } finally {
        await member.close();
      }
      await owner.close();
      ownerOpen = false;

      stream = await events();
      try {
        const first = await stream.next();
        const shared = first.json.buses.find((b) => b.bus_id === busId);
        assert.ok(shared, JSON.stringify(first.json.buses));
        assert.equal(shared.name, 'team-render');
        assert.equal(shared.role, 'member');
        assert.equal(shared.user_id, key);
        assert.deepEqual(shared.clients.map((c) => c.uuid).sort(), ['demo-render', 'team-blender']);
      } finally {
        stream.close();
      }
      // The owner's offline client is not the member's to remove; their own is.
      const others = await act({ user_id: key, client_uuid: 'team-blender' });
      assert.equal(others.status, 403);
      assert.equal(others.json.detail, 'client_uuid belongs to another member of this bus');
      const own = await act({ user_id: key, client_uuid: 'demo-render' });
      assert.equal(own.status, 200, own.text);
      stream = await events();
      try {
        const first = await stream.next();
        const shared = first.json.buses.find((b) => b.bus_id === busId);
        assert.deepEqual(shared.clients.map((c) => c.uuid), ['team-blender']);
      } finally {
        stream.close();
      }
    } finally {
      if (ownerOpen) await owner.close();
    }
  });

  test('signs in through the built-in authorization server (OAuth, PKCE), refreshes there, and signs out by revoking', async () => {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    tab.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    const demo = (await login(server, 'demo', DEMO_PASSWORD)).access_token;
    const conn = await connectClient(server, { token: demo, name: 'demo-oauth' });
    try {
      await tab.goto(`${server.baseUrl}/ui/`, { waitUntil: 'load' });
      // The page registers itself, then sends the browser to the sign-in page.
      await Promise.all([tab.waitForNavigation(WAIT), tab.click('#oauth-sign-in')]);
      assert.equal(new URL(tab.url()).pathname, '/oauth/authorize');
      await tab.type('#username', 'demo');
      await tab.type('#password', DEMO_PASSWORD);
      await Promise.all([tab.waitForNavigation(WAIT), tab.click('#sign-in')]);
      assert.match(await tab.content(), /blender-bus dashboard/);
      await Promise.all([tab.waitForNavigation(WAIT), tab.click('#approve')]);
      await tab.waitForFunction(() => document.getElementById('status').textContent === 'Live', WAIT);
      // The code left the address bar; nothing of the trip stays stored.
      assert.equal(tab.url(), `${server.baseUrl}/ui/`);
      assert.equal(await tab.evaluate(() => sessionStorage.length + localStorage.length), 0);
      assert.equal(await tab.$eval('#who', (e) => e.textContent), 'demo');

      // The demo user's bus, live, and only it.
      const uuid = `oauth-${randomUUID()}`;
      await call(conn, 'blender_register_client', { client_uuid: uuid, client_type: 'llm' });
      await tab.waitForFunction((u) => [...document.querySelectorAll('tr[data-uuid]')]
        .some((r) => r.getAttribute('data-uuid') === u), WAIT, uuid);
      assert.equal(await tab.$$eval('tr[data-uuid="llm-1"]', (rows) => rows.length), 0);

      // A refresh goes to the token endpoint and yields a working token.
      const before = await tab.evaluate(() => token);
      assert.equal(await tab.evaluate(() => refreshTokens()), true);
      const after = await tab.evaluate(() => token);
      assert.notEqual(after, before);
      assert.equal((await rawRequest(`${server.baseUrl}/auth/profile`,
        { headers: { authorization: `Bearer ${after}` } })).json.username, 'demo');

      // Signing out revokes the grant: its refresh token is refused after.
      const refresh = await tab.evaluate(() => refreshToken);
      await tab.click('#sign-out');
      let refused;
      for (let i = 0; i < 50; i++) {
        refused = await rawRequest(`${server.baseUrl}/oauth/token`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh,
            client_id: JSON.parse(Buffer.from(after.split('.')[1], 'base64url')).client_id }).toString(),
        });
        if (refused.status !== 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(refused.status, 400, refused.text);
      assert.deepEqual(errors, []);
    } finally {
      await conn.close();
      await tab.close();
    }
  });

  test('stays signed in past the access token\'s life: the page refreshes it and reopens the stream', async () => {
    // Access tokens of one minute (the smallest): without a refresh the
    // server ends the events stream at 60 s and the page signs out.
    const short = await startServer({ env: { ADMIN_PASSWORD, ACCESS_TOKEN_EXPIRE_MINUTES: '1' } });
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      await tab.goto(`${short.baseUrl}/ui/`, { waitUntil: 'load' });
      await tab.type('#username', 'admin');
      await tab.type('#password', ADMIN_PASSWORD);
      await tab.click('#login button[type=submit]');
      await tab.waitForFunction(() => document.getElementById('status').textContent === 'Live', WAIT);
      await new Promise((r) => setTimeout(r, 75_000));
      assert.equal(await tab.$eval('#login', (f) => getComputedStyle(f).display), 'none',
        await tab.$eval('#login-error', (e) => e.textContent));
      // Still live: a registration made now shows up.
      const token = (await login(short, 'admin', ADMIN_PASSWORD)).access_token;
      const conn = await connectClient(short, { token, name: 'late' });
      try {
        const uuid = `late-${randomUUID()}`;
        await call(conn, 'blender_register_client', { client_uuid: uuid, client_type: 'llm' });
        await tab.waitForFunction((u) => [...document.querySelectorAll('tr[data-uuid]')]
          .some((r) => r.getAttribute('data-uuid') === u), WAIT, uuid);
      } finally {
        await conn.close();
      }
      assert.deepEqual(errors, []);
    } finally {
      await tab.close();
      await short.stop();
    }
  });
});

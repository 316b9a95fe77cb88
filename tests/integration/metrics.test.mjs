// GET /metrics (issue 17): Prometheus text for admins only, counters that
// move with the bus's work, and output that Debian's `promtool check
// metrics` accepts. The official SDK as peer, the real server binary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { callToolJson, collectMessages, connectClient, login, rawRequest, startServer } from './harness.mjs';

const ADMIN_PASSWORD = `admin-${randomUUID()}`;
const DEMO_PASSWORD = `demo-${randomUUID()}`;

let server;
let adminToken;
before(async () => {
  server = await startServer({ env: { ADMIN_PASSWORD, DEMO_PASSWORD } });
  adminToken = (await login(server, 'admin', ADMIN_PASSWORD)).access_token;
});
after(async () => { await server?.stop(); });

function scrape(token) {
  return rawRequest(`${server.baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Samples of the text format by series: 'name{label="v"}' -> number. */
function parseSamples(text) {
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}

async function samples() {
  const res = await scrape(adminToken);
  assert.equal(res.status, 200, res.text);
  return parseSamples(res.text);
}

/** Scrapes until `ready(samples)` holds: a stream counts a record just after writing it. */
async function samplesWhen(ready, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await samples();
    if (ready(s)) return s;
    if (Date.now() > deadline) assert.fail(`metrics never showed ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /metrics', () => {
  test('is 401 without a token, as /mcp answers', async () => {
    const res = await scrape();
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { detail: 'Bearer token required' });
    assert.match(String(res.headers['www-authenticate']), /^Bearer /);
  });

  test('is 401 with a bad token', async () => {
    const res = await scrape('not-a-token');
    assert.equal(res.status, 401);
    assert.match(res.json.detail, /^Invalid token: /);
  });

  test('is 403 for a user who is not an admin', async () => {
    const demo = await login(server, 'demo', DEMO_PASSWORD);
    const res = await scrape(demo.access_token);
    assert.equal(res.status, 403);
    assert.deepEqual(res.json, { detail: 'Reading metrics needs an admin' });
  });

  test('answers other methods 405', async () => {
    const res = await rawRequest(`${server.baseUrl}/metrics`, {
      method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: '',
    });
    assert.equal(res.status, 405);
  });

  test('serves the text format, and its counters and gauges move with a send', async () => {
    const res = await scrape(adminToken);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    const before = parseSamples(res.text);
    for (const name of ['blender_bus_sends_total{routing="direct"}', 'blender_bus_sends_total{routing="group"}',
      'blender_bus_sends_total{routing="type_filter"}', 'blender_bus_sends_total{routing="broadcast"}',
      'blender_bus_records_delivered_total', 'blender_bus_records_dropped_total', 'blender_bus_sessions',
      'blender_bus_clients{state="online"}', 'blender_bus_clients{state="offline"}',
      'blender_bus_clients{state="stale"}', 'blender_bus_inbox_records', 'blender_bus_jobs_open',
      'blender_bus_login_failures_total', 'blender_bus_store_commit_seconds_count',
      'blender_bus_store_commit_seconds_bucket{le="+Inf"}',
      'blender_bus_tool_call_seconds_count{tool="blender_send_message"}']) {
      assert.ok(before.has(name), `missing ${name} in:\n${res.text}`);
    }

    const receiver = await connectClient(server, { token: adminToken, name: 'receiver' });
    const sender = await connectClient(server, { token: adminToken, name: 'sender' });
    try {
      const inbox = collectMessages(receiver.client);
      await receiver.streamOpened;
      const uuid = `worker-${randomUUID()}`;
      await callToolJson(receiver.client, 'blender_register_client',
        { client_uuid: uuid, client_type: 'blender', is_persistent: true, group_id: 'render' });
      await callToolJson(sender.client, 'blender_register_client', { client_uuid: 'llm-1', client_type: 'llm' });
      const [sent] = await callToolJson(sender.client, 'blender_send_message',
        { target_uuid: uuid, from_uuid: 'llm-1', payload: { job_id: `job-${randomUUID()}`, script: 'pass' } });
      assert.deepEqual(sent.targets, [uuid]);
      await inbox.waitFor(1, { logger: '_message_bus' });

      const now = await samplesWhen(
        (s) => s.get('blender_bus_records_delivered_total') >= before.get('blender_bus_records_delivered_total') + 1,
        'the record as delivered');
      const moved = (name) => now.get(name) - before.get(name);
      assert.equal(moved('blender_bus_sends_total{routing="direct"}'), 1);
      assert.equal(moved('blender_bus_sends_total{routing="group"}'), 0);
      assert.equal(moved('blender_bus_records_delivered_total'), 1);
      assert.equal(moved('blender_bus_jobs_open'), 1);
      assert.equal(moved('blender_bus_tool_call_seconds_count{tool="blender_send_message"}'), 1);
      assert.equal(moved('blender_bus_tool_call_seconds_count{tool="blender_register_client"}'), 2);
      assert.ok(moved('blender_bus_clients{state="online"}') >= 2);
      assert.ok(moved('blender_bus_sessions') >= 2);
      // The persistent client's registration and record were committed.
      assert.ok(moved('blender_bus_store_commit_seconds_count') >= 1);
      assert.equal(now.get('blender_bus_store_commit_seconds_bucket{le="+Inf"}'),
        now.get('blender_bus_store_commit_seconds_count'));

      // A group send to nobody counts as a send with no record.
      await callToolJson(sender.client, 'blender_send_message', { group_id: 'nobody', payload: {} });
      assert.equal((await samples()).get('blender_bus_sends_total{routing="group"}') -
        before.get('blender_bus_sends_total{routing="group"}'), 1);

      // The receiver's session ends: its persistent client stays, offline.
      await receiver.close();
      await samplesWhen((s) => s.get('blender_bus_clients{state="offline"}') >= before.get('blender_bus_clients{state="offline"}') + 1,
        'the client offline');
    } finally {
      await receiver.close();
      await sender.close();
    }
  });

  test('counts failed logins', async () => {
    const before = (await samples()).get('blender_bus_login_failures_total');
    const res = await rawRequest(`${server.baseUrl}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'wrong' }),
    });
    assert.equal(res.status, 401);
    assert.equal((await samples()).get('blender_bus_login_failures_total'), before + 1);
  });

  test('promtool check metrics accepts the output', async () => {
    const res = await scrape(adminToken);
    assert.equal(res.status, 200);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: res.text, encoding: 'utf8' });
    assert.ifError(check.error);  // scripts/test installs Debian's prometheus (promtool)
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}\n${res.text}`);
  });
});

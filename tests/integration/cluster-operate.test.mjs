// Operating a cluster node (issue 17): what its dashboard and /metrics show
// on a real two-node cluster (one nats-server, R1; cluster-harness.mjs), in
// Debian's headless Chromium through puppeteer-core (as dashboard.test.mjs).
// - the dashboard names the node serving it and, per client, the node
//   holding the client's stream; the send and record rates move with the
//   sends this node serves;
// - /metrics adds the NATS connection's state (one gauge per state) and the
//   publish-to-ack histogram, and the state follows the NATS server killed
//   and started again.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium } from './chromium.mjs';
import { eventually, startCluster } from './cluster-harness.mjs';
import { REPO_ROOT, callToolJson, connectClient, login, rawRequest } from './harness.mjs';
import { natsServerAvailable } from './nats-harness.mjs';

const ARTIFACTS = process.env.BLENDER_BUS_ARTIFACTS ?? path.join(REPO_ROOT, 'tests/integration/artifacts');
const ADMIN_PASSWORD = `admin-${randomUUID()}`;
const WAIT = { timeout: 30_000 };

const skip = !(await natsServerAvailable()) &&
  'nats-server is not installed (apt-get install nats-server; scripts/test installs it)';

// One cluster for the file (the metrics test, last, kills its NATS server
// and starts it again); the after hook stops the nodes, then NATS.
let cluster;
let token;
let browser;

before(async () => {
  if (skip) return;
  cluster = await startCluster({ natsServers: 1, env: { ADMIN_PASSWORD } });
  token = (await login(cluster.nodes.a, 'admin', ADMIN_PASSWORD)).access_token;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  for (const node of Object.values(cluster?.nodes ?? {})) await node.stop();
  await cluster?.nats.stop();
});

async function call(conn, name, args) {
  const [json] = await callToolJson(conn.client, name, args);
  return json;
}

/** A client registered on `node` with its GET stream open. */
async function streamingClient(node, registration) {
  const conn = await connectClient(node, { token, name: registration.client_uuid });
  await conn.streamOpened;
  const reg = await call(conn, 'blender_register_client', registration);
  assert.equal(reg.status, 'ok', JSON.stringify(reg));
  return conn;
}

/** The value of one series ('name{label="v"}') in the text format; undefined when absent. */
function sampleOf(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(node) {
  const res = await rawRequest(`${node.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, res.text);
  return res.text;
}

const STATES = ['connecting', 'connected', 'reconnecting', 'closed'];
const stateSeries = (s) => `blender_bus_nats_connection_state{state="${s}"}`;
/** The one state whose gauge is 1, after checking that every other is 0. */
function connectionState(text) {
  const values = STATES.map((s) => sampleOf(text, stateSeries(s)));
  assert.deepEqual(values.filter((v) => v === 1).length, 1, `connection state gauges: ${values}`);
  assert.ok(values.every((v) => v === 0 || v === 1), `connection state gauges: ${values}`);
  return STATES[values.indexOf(1)];
}

describe('cluster mode: what an operator sees', { skip }, () => {
  test('the dashboard shows the node of each client and counts the sends this node serves', async () => {
    const { a, b } = cluster.nodes;
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    const run = randomUUID().slice(0, 8);
    const onA = `on-a-${run}`;
    const onB = `on-b-${run}`;
    const conns = [];
    try {
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${a.baseUrl}/ui/`, { waitUntil: 'load' });
      await page.type('#username', 'admin');
      await page.type('#password', ADMIN_PASSWORD);
      await page.click('#login button[type=submit]');
      await page.waitForFunction(() => document.getElementById('status').textContent === 'Live', WAIT);

      conns.push(await streamingClient(b, { client_uuid: onB, client_type: 'blender', is_persistent: true }));
      conns.push(await streamingClient(a, { client_uuid: onA, client_type: 'llm' }));
      const nodeOf = (uuid) => page.evaluate((u) => {
        const table = document.querySelector('table.clients');
        if (!table) return null;  // no bus shown yet
        const column = [...table.querySelectorAll('th')].findIndex((h) => h.textContent === 'node');
        const row = [...table.querySelectorAll('tr[data-uuid]')].find((r) => r.getAttribute('data-uuid') === u);
        return row ? { column, node: row.children[column]?.textContent, state: row.querySelector('.state').textContent } : null;
      }, uuid);
      const waitNode = (uuid, node, state) => eventually(`${uuid} shown on node '${node}' ${state}`, 30_000, async () => {
        const shown = await nodeOf(uuid);
        return (shown?.column >= 0 && shown.node === node && shown.state === state) || shown;
      });
      // B's client reaches A's directory mirror, with its presence on B.
      await waitNode(onB, 'b', 'online');
      await waitNode(onA, 'a', 'online');
      assert.equal(await page.$eval('#served-by', (e) => e.textContent), 'node a');

      // Sends from A to B's client: the page's rates move (the JetStream
      // engine does not count them; the service on A does).
      const sender = conns[1];
      let sending = true;
      const sends = (async () => {
        while (sending) {
          const sent = await call(sender, 'blender_send_message', { target_uuid: onB, payload: { n: 1 } });
          assert.equal(sent.status, 'ok', JSON.stringify(sent));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      try {
        await page.waitForFunction(() => Number(document.getElementById('sends-rate').textContent) > 0 &&
          Number(document.getElementById('records-rate').textContent) > 0, WAIT);
      } finally {
        sending = false;
        await sends;
      }

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'cluster-dashboard.png'), fullPage: true });

      // B's client's session ends: offline, held by no node.
      await conns.shift().close();
      await waitNode(onB, '', 'offline');
      assert.deepEqual(errors, []);
    } finally {
      for (const conn of conns) await conn.close();
      await page.close();
    }
  });

  test('/metrics shows the NATS connection state, which follows its server, and the publish latency', async () => {
    const { a } = cluster.nodes;
    let text = await scrape(a);
    assert.equal(connectionState(text), 'connected');
    assert.equal(sampleOf(text, 'blender_bus_cluster_nodes_live'), 2);
    // Heartbeats and the first test's registrations and sends were acked.
    const count = sampleOf(text, 'blender_bus_nats_publish_seconds_count');
    assert.ok(count > 0, text);
    assert.equal(sampleOf(text, 'blender_bus_nats_publish_seconds_bucket{le="+Inf"}'), count);
    assert.ok(sampleOf(text, 'blender_bus_nats_publish_seconds_sum') > 0);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.ifError(check.error);  // scripts/test installs Debian's prometheus (promtool)
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}\n${text}`);

    await cluster.nats.kill('n1');
    await eventually('A reconnecting', 30_000, async () => {
      text = await scrape(a);
      return connectionState(text) === 'reconnecting' || connectionState(text);
    });
    await cluster.nats.restart('n1');
    await eventually('A connected again', 60_000, async () => {
      text = await scrape(a);
      return connectionState(text) === 'connected' || connectionState(text);
    });
    // Publishing works again, and is measured.
    await eventually('a heartbeat acked after the restart', 30_000, async () => {
      text = await scrape(a);
      return sampleOf(text, 'blender_bus_nats_publish_seconds_count') > count || text;
    });
  });
});

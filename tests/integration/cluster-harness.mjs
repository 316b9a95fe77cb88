// blender-bus cluster nodes on a real NATS JetStream deployment, for
// integration tests (issue 13):
//
//   const c = await startCluster({ t, nodes: ['a', 'b'] });  // 3 NATS servers, R3
//   c.nats                   the NATS deployment (nats-harness.mjs: kill, restart, urls)
//   c.nodes.a                a started node (harness.mjs startServer's object)
//   await c.startNode('c', { dataDir })   another node (or one started again)
//   c.user('add', 'alice', { password })  `blender-bus user … --cluster URLS`
//
// Every node is started with `serve --cluster URLS --node-name NAME
// --cluster-replicas R --public-url ISSUER`: one public URL for all, as
// behind a load balancer, so that a token any node issued names the same
// issuer. Nodes are killed when the test ends (harness.mjs), the NATS
// servers are stopped by the test's after hook (nats-harness.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { assertNoSanitizerReport, sanitizerEnv, serverBin, startServer } from './harness.mjs';
import { startNats } from './nats-harness.mjs';

/** The one public origin every test node shares (the issuer of its tokens). */
export const CLUSTER_PUBLIC_URL = 'http://bus.cluster.test';

export async function startCluster({ t, nodes = ['a', 'b'], natsServers = 3, replicas = natsServers >= 3 ? 3 : 1, env = {} } = {}) {
  const nats = await startNats({ servers: natsServers, t });
  const urls = nats.urls.join(',');
  const cluster = {
    nats,
    urls,
    nodes: {},
    /** Starts node NAME (with a fresh data dir unless opts.dataDir). */
    async startNode(name, opts = {}) {
      const node = await startServer({
        dataDir: opts.dataDir,
        args: ['--cluster', urls, '--node-name', name, '--cluster-replicas', String(replicas),
          '--public-url', CLUSTER_PUBLIC_URL, ...(opts.args ?? [])],
        env: { ...env, ...(opts.env ?? {}) },
        readyTimeoutMs: 90_000,
      });
      cluster.nodes[name] = node;
      return node;
    },
    /**
     * `blender-bus user ACTION [NAME] --cluster URLS [--password-stdin]`;
     * asserts the exit status (0 unless expectStatus). Returns spawnSync's result.
     */
    user(action, name, { password, expectStatus = 0 } = {}) {
      const args = ['user', action, ...(name === undefined ? [] : [name]), '--cluster', urls];
      if (password !== undefined) args.push('--password-stdin');
      const r = spawnSync(serverBin(), args, {
        input: password ?? '', encoding: 'utf8', timeout: 90_000,
        env: { ...process.env, ...sanitizerEnv() },
      });
      if (r.error) throw r.error;
      assert.equal(r.status, expectStatus, `user ${action} ${name ?? ''} --cluster exited ${r.status}:\n${r.stderr}`);
      assertNoSanitizerReport(r.stderr ?? '', `user ${action}`);
      return r;
    },
  };
  // One at a time: the first creates the streams and buckets, and on two
  // shared cores parallel starts only add up.
  for (const name of nodes) await cluster.startNode(name);
  return cluster;
}

/** Polls fn() (an async predicate) every 100 ms until it returns true; rejects after ms. */
export async function eventually(what, ms, fn) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last === true) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

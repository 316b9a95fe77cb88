// The official v2 client (@modelcontextprotocol/client 2.4) in the MCP
// 2026-07-28 era, for the suites that drive the bus as a modern client.
import assert from 'node:assert/strict';

import { Client as Client2, StreamableHTTPClientTransport as HttpTransport2 } from '@modelcontextprotocol/client';

import { toolJson } from './harness.mjs';

export const MODERN = '2026-07-28';
export const INBOX = 'blender://bus/inbox/';

/**
 * A v2 client on `server` as the bearer of `token`; `mode` is { pin } or
 * 'auto'; `capabilities` the client's own.
 */
export async function modernClient(server, token, mode = { pin: MODERN }, { capabilities, name = 'blender-bus-v2-modern' } = {}) {
  const transport = new HttpTransport2(new URL(server.mcpUrl),
    { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client2({ name, version: '1.0.0' },
    { versionNegotiation: { mode }, ...(capabilities ? { capabilities } : {}) });
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}

/** Collects notifications of one method on a v2 client; waitFor(n) resolves once n arrived. */
export function collect(client, method) {
  const got = [];
  const waiters = new Set();
  client.setNotificationHandler(method, (n) => {
    got.push(n.params);
    for (const w of waiters) if (got.length >= w.n) { waiters.delete(w); w.resolve(got.slice()); }
  });
  return {
    got,
    waitFor(n, timeoutMs = 10_000) {
      if (got.length >= n) return Promise.resolve(got.slice());
      return new Promise((resolve, reject) => {
        const w = { n, resolve };
        waiters.add(w);
        setTimeout(() => { waiters.delete(w); reject(new Error(`${method}: ${got.length} of ${n} arrived`)); }, timeoutMs);
      });
    },
  };
}

/** A tool call's JSON answer on a v2 client; an isError result fails the test. */
export async function v2Json(client, name, args, extra = {}) {
  const result = await client.callTool({ name, arguments: args, ...extra });
  assert.ok(!result.isError, `${name}: ${JSON.stringify(result)}`);
  return toolJson(result);
}

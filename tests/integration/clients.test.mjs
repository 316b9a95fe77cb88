// Other official clients: the newer @modelcontextprotocol/client 2.4 over
// Streamable HTTP, and the SDK's stdio transport against `blender-bus stdio`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client as Client2, StreamableHTTPClientTransport as HttpTransport2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { assertNoSanitizerReport, sanitizerEnv, serverBin, startServer } from './harness.mjs';

const BUS_TOOLS = [
  'blender_register_client',
  'blender_unregister_client',
  'blender_send_message',
  'blender_job_update',
  'blender_list_available_clients',
];

describe('@modelcontextprotocol/client 2.4 over Streamable HTTP', () => {
  let server;
  before(async () => { server = await startServer({ args: ['--auth', 'none'] }); });
  after(async () => { await server?.stop(); });

  test('connects with 2025-11-25 (offered first), lists tools, pings', async () => {
    const transport = new HttpTransport2(new URL(server.mcpUrl));
    const client = new Client2({ name: 'blender-bus-test-v2', version: '1.0.0' });
    await client.connect(transport);
    try {
      assert.equal(transport.protocolVersion, '2025-11-25');
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const n of BUS_TOOLS) assert.ok(names.includes(n), `${n} missing from ${JSON.stringify(names)}`);
      assert.deepEqual(await client.ping(), {});
      // After listTools the client checks results against each outputSchema
      // (FastMCP's wrapped str): it must accept ours.
      const result = await client.callTool({ name: 'blender_register_client',
        arguments: { client_uuid: 'v2-client', client_type: 'llm' } });
      assert.deepEqual(result.structuredContent, { result: result.content[0].text });
      assert.equal(JSON.parse(result.content[0].text).client.uuid, 'v2-client');
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});

describe('stdio: `blender-bus stdio` launched by the SDK\'s StdioClientTransport', () => {
  test('initializes, pings, lists tools — and has none of the five bus tools', async () => {
    const transport = new StdioClientTransport({
      command: serverBin(),
      args: ['stdio'],
      stderr: 'pipe',
      env: sanitizerEnv(),
    });
    let stderr = '';
    transport.stderr?.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const client = new Client({ name: 'blender-bus-stdio-test', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    try {
      const info = client.getServerVersion();
      assert.equal(typeof info?.name, 'string');
      assert.deepEqual(await client.ping(), {});
      const { tools } = await client.listTools();
      assert.ok(Array.isArray(tools));
      const names = tools.map((t) => t.name);
      for (const n of BUS_TOOLS) assert.ok(!names.includes(n), `${n} must not be offered over stdio: ${JSON.stringify(names)}`);
      for (const t of tools) assert.equal(t.inputSchema?.type, 'object', t.name);
      assert.deepEqual(await client.setLoggingLevel('info'), {});
    } finally {
      const proc = transport._process;
      const exited = proc && proc.exitCode === null
        ? new Promise((r) => proc.once('close', (code, signal) => r({ code, signal })))
        : Promise.resolve({ code: proc?.exitCode, signal: proc?.signalCode });
      await client.close();
      const { code, signal } = await exited;
      assertNoSanitizerReport(stderr, 'blender-bus stdio');
      // Closing stdin ends it (the SDK sends SIGTERM after 2 s): either way, exit code 0.
      assert.ok(code === 0 && signal === null, `stdio exit: code ${code}, signal ${signal}\n${stderr}`);
    }
  });
});

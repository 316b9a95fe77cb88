// A program, not a test: the official SDK client against URL (as a separate
// process, so that its trust comes from NODE_EXTRA_CA_CERTS, read at start).
//   node sdk-roundtrip.mjs MCP_URL [TOKEN]
// Registers a client, sends it a record, waits for that record on the
// session's GET stream, and prints {"record": <data>} as one JSON line.
// Exits 1 with the error on stderr.
import { callToolJson, collectMessages, connectClient } from '../harness.mjs';

const [url, token] = process.argv.slice(2);
try {
  const c = await connectClient(url, { token });
  const messages = collectMessages(c.client);
  await c.streamOpened;
  await callToolJson(c.client, 'blender_register_client', { client_uuid: 'sdk-over-tls', client_type: 'llm' });
  await callToolJson(c.client, 'blender_send_message', { target_uuid: 'sdk-over-tls', payload: { over: 'tls' } });
  const [record] = await messages.waitFor(1, { logger: '_message_bus' });
  process.stdout.write(`${JSON.stringify({ record: record.data })}\n`);
  await c.close();
} catch (e) {
  process.stderr.write(`${e?.stack ?? e}\n${e?.cause ? `cause: ${e.cause.stack ?? e.cause}` : ''}\n`);
  process.exitCode = 1;
}

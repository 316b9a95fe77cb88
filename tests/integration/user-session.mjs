// A user's official-SDK session for the shared-bus suites (single node and cluster).
import { collectMessages, connectClient, login, toolJson } from './harness.mjs';

/**
 * Logs `username` in on `server` (a server or a cluster node) and connects:
 * call(tool, args) → the tool's JSON; read(uri) → a resource's JSON; records
 * in messages; tagged(tag) → the bus records whose payload has that tag.
 */
export async function userSession(server, username, password) {
  const { access_token: token } = await login(server, username, password);
  const c = await connectClient(server, { token, name: username });
  const messages = collectMessages(c.client);
  await c.streamOpened;
  return {
    ...c,
    name: username,
    messages,
    async call(name, args = {}) {
      return toolJson(await c.client.callTool({ name, arguments: args }));
    },
    async read(uri) {
      return JSON.parse((await c.client.readResource({ uri })).contents[0].text);
    },
    tagged: (tag) => messages.bus().filter((r) => r.data.payload?.tag === tag),
  };
}

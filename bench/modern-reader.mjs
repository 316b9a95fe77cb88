// A modern (2026-07-28) receiver that keeps up, for bench/modern-send: one
// streaming `blender_receive_messages` after another on one kept-alive
// connection, each resuming `after` the last one's `next`, so the gap
// between two receives is one round trip, not a process start. Counts the
// records that arrive as notifications/message; prints the count when a
// receive fails (the server went away) or on SIGTERM.
//
//   node bench/modern-reader.mjs URL TOKEN CLIENT_UUID
import http from 'node:http';

const [url, token, uuid] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let received = 0;
const finish = () => {
  process.stdout.write(`${received}\n`);
  process.exit(0);
};
process.on('SIGTERM', finish);

// One streaming receive; resolves with its `next` (undefined: none).
function receive(after) {
  const body = JSON.stringify({
    jsonrpc: '2.0', id: 1, method: 'tools/call',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/logLevel': 'info',
      },
      name: 'blender_receive_messages',
      arguments: { client_uuid: uuid, wait_seconds: 50, limit: 500, ...(after !== undefined ? { after } : {}) },
    },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/mcp`, {
      method: 'POST', agent,
      headers: {
        authorization: `Bearer ${token}`, 'content-type': 'application/json',
        accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call', 'mcp-name': 'blender_receive_messages',
      },
    }, (res) => {
      let rest = '';
      let next;
      res.setEncoding('utf8');
      res.on('data', (text) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop();
        for (const line of lines) {
          if (!line.startsWith('data: ')) continue;
          if (line.includes('"notifications/message"')) received += 1;
          else {
            const m = /\\"next\\":(\d+)/.exec(line);
            if (m) next = Number(m[1]);
          }
        }
      });
      res.on('end', () => resolve(next));
      res.on('close', () => resolve(next));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

let after;
try {
  for (;;) after = (await receive(after)) ?? after;
} catch {
  finish();
}

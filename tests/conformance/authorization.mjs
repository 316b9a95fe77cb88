// The official conformance suite's `authorization` command (in
// @modelcontextprotocol/conformance 0.2.0-alpha.12, installed as the npm alias
// mcp-conformance-next) against the built-in authorization server, both of
// its scenarios:
// - authorization-server-metadata-endpoint (RFC 8414 metadata);
// - authorization-code-grant, which waits for a browser to complete the
//   sign-in: this driver registers a public client for the suite's loopback
//   callback, reads the authorization URL the suite prints, signs in and
//   approves in Debian's headless Chromium (puppeteer-core), and the suite
//   checks the redirect (code, state, iss) and the token response.
// Exit status: the suite's (1 on any FAILURE; a WARNING does not fail).
//
//   node tests/conformance/authorization.mjs     (BLENDER_BUS_BIN picks the binary)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import puppeteer from 'puppeteer-core';

import { REPO_ROOT, freePort, rawRequest, startServer } from '../integration/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const suite = path.join(REPO_ROOT, 'node_modules/mcp-conformance-next/dist/index.js');
const CHROMIUM = process.env.BLENDER_BUS_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = `conformance-${randomUUID()}`;

async function signInAndApprove(url) {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.type('#username', 'conformance');
    await page.type('#password', PASSWORD);
    await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click('#sign-in')]);
    await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click('#approve')]);
    console.log(`authorization driver: approved; the browser is at ${new URL(page.url()).origin}${new URL(page.url()).pathname}`);
  } finally {
    await browser.close();
  }
}

const server = await startServer({ users: [{ username: 'conformance', password: PASSWORD }] });
let status = 1;
try {
  const port = await freePort();
  const callback = `http://127.0.0.1:${port}/callback`;
  const registered = await rawRequest(`${server.baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [callback], client_name: 'MCP conformance suite', application_type: 'native' }),
  });
  if (registered.status !== 201) throw new Error(`registration: ${registered.status} ${registered.text}`);
  const clientId = registered.json.client_id;
  console.log(`authorization driver: server ${server.baseUrl}, client ${clientId}, callback ${callback}`);

  const child = spawn(process.execPath, [suite, 'authorization', '--url', server.baseUrl,
    '--client-id', clientId, '--resource', server.mcpUrl, '-p', String(port),
    '-o', path.join(here, 'results-authorization')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  let buffered = '';
  let driven;
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk;
    const line = buffered.split('\n').find((l) => l.startsWith(`${server.baseUrl}/oauth/authorize?`));
    if (line && !driven) {
      driven = signInAndApprove(line.trim()).catch((e) => {
        console.error(`authorization driver: the browser step failed: ${e.stack}`);
        child.kill('SIGTERM');
      });
    }
  });
  status = await exited;
  await driven;
  if (!driven) {
    console.error('authorization driver: the suite printed no authorization URL');
    status = 1;
  }
} finally {
  await server.stop();
}
console.log(`authorization conformance: ${status === 0 ? 'passed' : 'FAILED'}`);
process.exit(status);

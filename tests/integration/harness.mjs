// Shared helpers for the integration tests (Node's test runner + the official
// MCP TypeScript SDK against the real blender-bus binary).
//
//   startServer(opts)        the real binary on a free port, fresh data dir; .stop()
//   addUser(dataDir, …)      `blender-bus user add` before a server starts on that dir
//   userCommand(dataDir, …)  any `blender-bus user …` (also beside a running server)
//   login(server, u, p)      POST /auth/login → the token body
//   connectClient(server, …) official SDK Client + StreamableHTTPClientTransport
//   collectMessages(client)  gathers notifications/message; await N with waitFor()
//   toolJson(result)         the JSON object a bus tool returned (checks FastMCP's wrapping)
//   rawRequest(url, …)       plain HTTP, for bad-input tests (any body, any header)
//   RawSession               MCP over plain HTTP: initialize, request, GET streams
//   openSse(url, …)          a GET SSE stream read event by event (pause() stops reading)
//   server.kill()            SIGKILL (a crash), keeping the data dir for a restart
//   server.vmRssKb()         the server's resident memory, from /proc
//   rawConnection(port, …)   a TCP (or TLS) connection for byte-exact requests
//   makeTestCertificate(dir) a throwaway CA and a localhost certificate (openssl)
//   trackChild(proc)         a child process killed when the test that started it ends
//
// A server (or tracked child) a test started is killed when that test ends,
// however it ends: a test that times out or is cancelled never reaches its
// finally. Those a suite's hook started are killed when the file ends.
//
// Everything that waits has a timeout and waits for an event, never a sleep.
// The binary is $BLENDER_BUS_BIN, else build/blender-bus.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Children still running, with the test that started them (null: a suite's
// hook). A test that times out or is cancelled is abandoned where it waits,
// so its `finally` never stops its server: the hook after every test kills
// what that test started and left running, and this process's exit or a
// terminating signal kills whatever is left, so no server outlives the run.
const liveChildren = new Map();
let currentTest = null;

function killLiveChildren(startedBy = undefined) {
  for (const [proc, test] of liveChildren) {
    if (startedBy !== undefined && test !== startedBy) continue;
    try { proc.kill('SIGKILL'); } catch { /* already gone */ }
    liveChildren.delete(proc);
    if (startedBy !== undefined) {
      process.stderr.write(`harness: killed pid ${proc.pid} (${proc.spawnfile}), left running by test "${test.name}"\n`);
    }
  }
}

beforeEach((t) => { currentTest = t; });
afterEach((t) => {
  currentTest = null;
  killLiveChildren(t);
});
process.once('exit', () => killLiveChildren());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killLiveChildren();
    process.kill(process.pid, signal);  // the handler is gone: the default action ends us
  });
}

/** Kills `proc` once the test that started it ends, if it still runs then. Returns proc. */
export function trackChild(proc) {
  liveChildren.set(proc, currentTest);
  proc.once('exit', () => liveChildren.delete(proc));
  return proc;
}

/** The server binary under test. */
export function serverBin() {
  return process.env.BLENDER_BUS_BIN ?? path.join(REPO_ROOT, 'build', 'blender-bus');
}

/** Environment a child binary needs beyond the defaults (sanitizer settings). */
export function sanitizerEnv() {
  const env = {};
  for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return env;
}

const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: \w+Sanitizer/;

/** Throws when a sanitizer (ASan, LSan, UBSan) reported anything in `text`. */
export function assertNoSanitizerReport(text, what = 'server') {
  const m = SANITIZER_REPORT.exec(text);
  if (m) {
    const from = Math.max(0, m.index - 200);
    assert.fail(`${what}: sanitizer report on stderr:\n${text.slice(from, from + 6000)}`);
  }
}

function tail(text, n = 4000) {
  return text.length > n ? `…${text.slice(-n)}` : text;
}

/** A deferred promise with a timeout that names what it was waiting for. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A fresh temporary data directory. */
/** A loopback port free now, for a peer that must bind it itself (an OAuth client's callback). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function makeDataDir() {
  return mkdtemp(path.join(tmpdir(), 'blender-bus-test-'));
}

/**
 * Adds a user with the CLI (`blender-bus user add NAME --data-dir D
 * --password-stdin`), before a server starts on that data dir.
 */
export function addUser(dataDir, username, password, { bin = serverBin() } = {}) {
  const r = spawnSync(bin, ['user', 'add', username, '--data-dir', dataDir, '--password-stdin'], {
    input: password,
    encoding: 'utf8',
    env: { ...process.env },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `user add ${username} exited ${r.status}:\n${r.stderr}`);
  assertNoSanitizerReport(r.stderr ?? '', 'user add');
  return r;
}

/**
 * Runs `blender-bus user ACTION [NAME] --data-dir D [--password-stdin]` (the
 * password, when given, on stdin), also beside a server running on that
 * dir; asserts exit 0 unless `expectStatus` says otherwise. Returns
 * spawnSync's result.
 */
export function userCommand(dataDir, action, name, { password, expectStatus = 0, bin = serverBin() } = {}) {
  const args = ['user', action, ...(name === undefined ? [] : [name]), '--data-dir', dataDir];
  if (password !== undefined) args.push('--password-stdin');
  const r = spawnSync(bin, args, { input: password ?? '', encoding: 'utf8', env: { ...process.env }, timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, expectStatus, `user ${action} ${name ?? ''} exited ${r.status}:\n${r.stderr}`);
  assertNoSanitizerReport(r.stderr ?? '', `user ${action}`);
  return r;
}

/**
 * Starts the real server: `serve --host 127.0.0.1 --port 0 --data-dir <dir>
 * ...args` and waits for its "blender-bus listening on http://HOST:PORT" line.
 *
 * opts.args     extra arguments, e.g. ['--auth', 'none']
 * opts.env      extra environment, e.g. { ADMIN_PASSWORD: 'pw' }
 * opts.dataDir  a data dir to use (default: a fresh temp dir, removed by stop())
 * opts.users    [{ username, password }] added with the CLI before start
 * opts.host     --host (default 127.0.0.1; null: no --host)
 * opts.port     --port (default 0, any free port; null: no --port)
 * opts.launcher a command the server runs under, e.g. ['prlimit', '--nofile=64:64', '--']
 *
 * Returns { baseUrl, mcpUrl, host, port, dataDir, proc, stderr(), stdout(), stop() }.
 * stop() sends SIGTERM, awaits the exit and asserts exit code 0 and no
 * sanitizer report; stop({ expectClean: false }) only ends it.
 */
export async function startServer(opts = {}) {
  const bin = opts.bin ?? serverBin();
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await makeDataDir());
  for (const u of opts.users ?? []) addUser(dataDir, u.username, u.password, { bin });

  // host / port null: left to the config file or the environment.
  const args = ['serve',
    ...(opts.host === null ? [] : ['--host', opts.host ?? '127.0.0.1']),
    ...(opts.port === null ? [] : ['--port', String(opts.port ?? 0)]),
    '--data-dir', dataDir, ...(opts.args ?? [])];
  const [command, ...commandArgs] = [...(opts.launcher ?? []), bin, ...args];
  const proc = trackChild(spawn(command, commandArgs, { env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stderr = '';
  let stdout = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo;
  exited.then((e) => { exitInfo = e; });

  const ready = new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      const m = /^blender-bus listening on (https?:\/\/\S+)\s*$/m.exec(stdout);
      if (m) resolve(m[1]);
    });
    exited.then(({ code, signal }) =>
      reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})\n${args.join(' ')}\nstderr:\n${tail(stderr)}`)));
  });
  let baseUrl;
  try {
    baseUrl = await withTimeout(ready, opts.readyTimeoutMs ?? 30_000, `"blender-bus listening on" from ${bin}`);
  } catch (e) {
    proc.kill('SIGKILL');
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const url = new URL(baseUrl);

  const server = {
    baseUrl,
    mcpUrl: `${baseUrl}/mcp`,
    host: url.hostname,
    port: Number(url.port),
    dataDir,
    proc,
    stderr: () => stderr,
    stdout: () => stdout,
    /** True while the process runs. */
    running: () => exitInfo === undefined,
    /** SIGKILL (no flush, no cleanup), as a crash would; awaits the exit. The data dir stays. */
    async kill() {
      if (exitInfo === undefined) proc.kill('SIGKILL');
      return withTimeout(exited, 20_000, 'the server to die after SIGKILL');
    },
    /** The server's resident set size in KiB (Linux /proc). */
    async vmRssKb() {
      const status = await readFile(`/proc/${proc.pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)[1]);
    },
    async stop({ expectClean = true, timeoutMs = 20_000 } = {}) {
      if (exitInfo === undefined) proc.kill('SIGTERM');
      let result;
      try {
        result = await withTimeout(exited, timeoutMs, 'the server to exit after SIGTERM');
      } catch (e) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`${e.message}\nstderr:\n${tail(stderr)}`);
      } finally {
        if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
      }
      if (expectClean) {
        assertNoSanitizerReport(stderr);
        assert.ok(result.code === 0 && result.signal === null,
          `server exit: code ${result.code}, signal ${result.signal} (want 0)\nstderr:\n${tail(stderr)}`);
      }
      return { ...result, stderr };
    },
  };
  return server;
}

/** POST /auth/login; returns the parsed 200 body ({ access_token, refresh_token, … }). */
export async function login(server, username, password) {
  const res = await rawRequest(`${server.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, `login ${username}: ${res.status} ${res.text}`);
  return res.json;
}

/**
 * Connects the official SDK client over Streamable HTTP.
 * opts.token         bearer token (sent on every request)
 * opts.name          clientInfo.name (default 'blender-bus-test')
 * opts.capabilities  client capabilities
 * Returns { client, transport, sessionId, streamOpened, close() }.
 * streamOpened resolves once the session's GET stream answered 200, so a
 * test can wait for it before causing a server push.
 * close() ends the session (DELETE) and closes the client.
 */
export async function connectClient(serverOrUrl, opts = {}) {
  const url = typeof serverOrUrl === 'string' ? serverOrUrl : serverOrUrl.mcpUrl;
  let markOpened;
  const streamOpened = new Promise((resolve) => { markOpened = resolve; });
  const watchingFetch = async (input, init) => {
    const res = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && res.ok) markOpened();
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: watchingFetch,
    requestInit: opts.token ? { headers: { Authorization: `Bearer ${opts.token}` } } : undefined,
  });
  const client = new Client({ name: opts.name ?? 'blender-bus-test', version: '1.0.0' },
    { capabilities: opts.capabilities ?? {} });
  await client.connect(transport);
  const opened = withTimeout(streamOpened, opts.streamTimeoutMs ?? 10_000, 'the GET stream to open');
  // A test that never awaits streamOpened (and closes first) must not fail
  // later on an unhandled rejection; one that awaits it still sees the error.
  opened.catch(() => {});
  return {
    client,
    transport,
    sessionId: transport.sessionId,
    streamOpened: opened,
    async close() {
      try { await transport.terminateSession(); } catch { /* server may be gone */ }
      await client.close();
    },
  };
}

/**
 * Collects `notifications/message` params arriving on an SDK client.
 * Returns { records, waitFor(n, { logger, filter, timeoutMs }) }; waitFor
 * resolves with the matching records once at least n have arrived and
 * rejects on timeout listing what did arrive.
 */
export function collectMessages(client) {
  const records = [];
  const waiters = new Set();
  const check = () => {
    for (const w of waiters) {
      const got = records.filter(w.match);
      if (got.length >= w.n) { waiters.delete(w); w.resolve(got); }
    }
  };
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    records.push(n.params);
    check();
  });
  return {
    records,
    /** Records on logger `_message_bus`. */
    bus: () => records.filter((r) => r.logger === '_message_bus'),
    waitFor(n, { logger, filter, timeoutMs = 10_000 } = {}) {
      const match = (r) => (logger === undefined || r.logger === logger) && (!filter || filter(r));
      return new Promise((resolve, reject) => {
        const w = { n, match, resolve };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} message record(s); ` +
            `got ${records.filter(match).length} matching of ${records.length}:\n${JSON.stringify(records, null, 1)}`));
        }, timeoutMs);
        w.resolve = (got) => { clearTimeout(timer); resolve(got); };
        waiters.add(w);
        check();
      });
    },
  };
}

/**
 * The JSON object of a bus tool's result: its first text content item, which
 * structuredContent wraps as FastMCP does for a str ({"result": <the text>}).
 */
export function toolJson(result) {
  const first = result?.content?.[0];
  assert.equal(first?.type, 'text', `tool result has no text content: ${JSON.stringify(result)}`);
  assert.deepEqual(result.structuredContent, { result: first.text },
    `structuredContent does not wrap the text: ${JSON.stringify(result)}`);
  return JSON.parse(first.text);
}

/** Calls a tool with the SDK client and returns [json, result]. */
export async function callToolJson(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  assert.ok(!result.isError, `${name} returned isError: ${JSON.stringify(result)}`);
  return [toolJson(result), result];
}

/** Parses an SSE body; returns [{ id, event, data }] (comments dropped). */
export function parseSse(text) {
  const events = [];
  const p = new SseParser((e) => events.push(e));
  p.push(text);
  p.push('\n\n');
  return events;
}

class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buf = '';
    this.reset();
  }
  reset() { this.id = undefined; this.event = undefined; this.data = []; this.any = false; }
  push(chunk) {
    this.buf += chunk;
    let m;
    while ((m = /\r\n|\r|\n/.exec(this.buf))) {
      // A lone \r at the very end may be half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buf.length - 1) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line);
    }
  }
  line(line) {
    if (line === '') {
      if (this.any) this.onEvent({ id: this.id, event: this.event ?? 'message', data: this.data.join('\n') });
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.any = true;
    if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
    else if (field === 'event') this.event = value;
  }
}

/** node:https for an https:// URL, node:http otherwise. */
function clientModule(url) {
  return String(url).startsWith('https:') ? https : http;
}

/**
 * Plain HTTP request (node:http, a fresh connection each time; node:https for
 * an https:// URL, trusting `ca` when given).
 * Returns { status, headers, text, json, events } where json is the parsed
 * body when it is JSON, and events the parsed SSE events when it is SSE.
 * A response that arrives before the body is fully sent (e.g. 413) is
 * still returned. `localAddress` picks the source address (any of
 * 127.0.0.0/8 reaches a server on 127.0.0.1: a test's way to be several
 * clients); `onSent` is called once the request is written; `onData` with
 * each piece of the body as it arrives (to act while a stream is open).
 */
export function rawRequest(url, { method = 'GET', headers = {}, body, timeoutMs = 30_000, ca, localAddress, onSent, onData } = {}) {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = clientModule(url).request(url, { method, headers, agent: false, ca, localAddress }, (res) => {
      responded = true;
      const chunks = [];
      res.on('data', (c) => {
        chunks.push(c);
        onData?.(c.toString('utf8'));
      });
      const done = () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const ct = String(res.headers['content-type'] ?? '');
        let json;
        let events;
        if (ct.includes('text/event-stream')) events = parseSse(text);
        else { try { json = JSON.parse(text); } catch { /* not JSON */ } }
        resolve({ status: res.statusCode, headers: res.headers, text, json, events });
      };
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', done);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${url}: no complete response in ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => {
      if (!responded) { clearTimeout(timer); reject(new Error(`${method} ${url}: ${e.message} before any response`)); }
    });
    if (body !== undefined) req.write(body);
    req.end(onSent);
  });
}

/**
 * A GET SSE stream read event by event.
 * Returns a promise of { status, headers, events, next(timeoutMs), waitFor(n, timeoutMs), close() }.
 * events holds every event with non-empty data (priming events, which carry
 * only an id, are left out); each is { id, event, data, json }.
 * lastId is the id of the last event seen of any kind.
 * For a non-200 answer, the body is read and returned as text/json instead.
 */
export function openSse(url, { headers = {}, timeoutMs = 10_000, ca } = {}) {
  return new Promise((resolve, reject) => {
    const req = clientModule(url).request(url, { method: 'GET', headers: { accept: 'text/event-stream', ...headers }, agent: false, ca }, (res) => {
      clearTimeout(timer);
      const ct = String(res.headers['content-type'] ?? '');
      if (res.statusCode !== 200 || !ct.includes('text/event-stream')) {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try { json = JSON.parse(text); } catch { /* not JSON */ }
          resolve({ status: res.statusCode, headers: res.headers, text, json, events: [], close() {} });
        });
        return;
      }
      const stream = {
        status: res.statusCode,
        headers: res.headers,
        events: [],
        lastId: undefined,
        ended: false,
        read: 0,
        waiters: new Set(),
        /** The next event not yet returned by next(). */
        async next(ms = 10_000) {
          await stream.waitFor(stream.read + 1, ms);
          return stream.events[stream.read++];
        },
        /** Resolves with (a copy of) all events once at least n have arrived. */
        waitFor(n, ms = 10_000) {
          if (stream.events.length >= n) return Promise.resolve(stream.events.slice());
          if (stream.ended) return Promise.reject(new Error(`SSE stream ended after ${stream.events.length} event(s), wanted ${n}`));
          const w = {};
          const p = new Promise((res2, rej2) => { Object.assign(w, { n, res: res2, rej: rej2 }); stream.waiters.add(w); });
          return withTimeout(p, ms, `${n} SSE event(s) on ${url} (got ${stream.events.length}: ${JSON.stringify(stream.events.map((e) => e.data))})`)
            .finally(() => stream.waiters.delete(w));
        },
        /** Resolves when the server ends the stream (rejects after ms). */
        waitForEnd(ms = 10_000) {
          return withTimeout(closed, ms, `the server to end the SSE stream on ${url}`);
        },
        close() { req.destroy(); },
        /** Stops reading: the socket's buffers fill and the server's writes stall. */
        pause() { res.pause(); },
      };
      let markClosed;
      const closed = new Promise((r) => { markClosed = r; });
      const wake = () => {
        for (const w of stream.waiters) {
          if (stream.events.length >= w.n) { stream.waiters.delete(w); w.res(stream.events.slice()); }
          else if (stream.ended) { stream.waiters.delete(w); w.rej(new Error(`SSE stream ended after ${stream.events.length} event(s), wanted ${w.n}`)); }
        }
      };
      const parser = new SseParser((e) => {
        if (e.id !== undefined) stream.lastId = e.id;
        if (e.data === '') return;
        let json;
        try { json = JSON.parse(e.data); } catch { /* not JSON */ }
        stream.events.push({ ...e, json });
        wake();
      });
      res.setEncoding('utf8');
      res.on('data', (d) => parser.push(d));
      const end = () => { stream.ended = true; markClosed(); wake(); };
      res.on('end', end);
      res.on('aborted', end);
      res.on('error', end);
      res.on('close', end);
      resolve(stream);
    });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`GET ${url}: no response headers in ${timeoutMs} ms`)); }, timeoutMs);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.end();
  });
}

export const ACCEPT_BOTH = 'application/json, text/event-stream';

/**
 * MCP over plain HTTP, for tests that need to see or shape the wire.
 *   const s = new RawSession(server.mcpUrl, { protocolVersion: '2025-06-18' });
 *   await s.initialize();        // sets s.sessionId, sends notifications/initialized
 *   const r = await s.request('ping');   // the JSON-RPC response object
 *   const st = await s.openStream({ lastEventId });
 */
export class RawSession {
  constructor(mcpUrl, { token, protocolVersion = '2025-11-25', origin, ca } = {}) {
    this.url = mcpUrl;
    this.ca = ca;  // the CA to trust for an https:// URL
    this.token = token;
    this.protocolVersion = protocolVersion;
    this.origin = origin;
    this.sessionId = undefined;
    this.nextId = 1;
  }

  /** A new session, initialized. */
  static async open(mcpUrl, opts) {
    const s = new RawSession(mcpUrl, opts);
    await s.initialize();
    return s;
  }

  /** Headers for a request on this session; `extra` overrides (undefined removes). */
  headers(extra = {}) {
    const h = {
      'content-type': 'application/json',
      accept: ACCEPT_BOTH,
      'mcp-protocol-version': this.protocolVersion,
    };
    if (this.sessionId) h['mcp-session-id'] = this.sessionId;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.origin) h.origin = this.origin;
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete h[k.toLowerCase()];
      else h[k.toLowerCase()] = v;
    }
    return h;
  }

  /** POSTs a body (object → JSON, string/Buffer as is); returns rawRequest's answer plus `messages`. */
  async post(body, { headers = {} } = {}) {
    const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const res = await rawRequest(this.url, { method: 'POST', headers: this.headers(headers), body: data, ca: this.ca });
    res.messages = res.events ? res.events.filter((e) => e.data).map((e) => JSON.parse(e.data))
      : res.json !== undefined ? [res.json] : [];
    return res;
  }

  /** initialize + notifications/initialized; returns the initialize result. */
  async initialize(params = {}) {
    const headers = { 'mcp-protocol-version': undefined, 'mcp-session-id': undefined };
    const res = await this.post({
      jsonrpc: '2.0', id: this.nextId++, method: 'initialize',
      params: {
        protocolVersion: this.protocolVersion,
        capabilities: {},
        clientInfo: { name: 'blender-bus-raw-test', version: '1.0.0' },
        ...params,
      },
    }, { headers });
    assert.equal(res.status, 200, `initialize: ${res.status} ${res.text}`);
    const msg = res.messages.find((m) => m.id !== undefined);
    assert.ok(msg?.result, `initialize: no result in ${res.text}`);
    this.sessionId = res.headers['mcp-session-id'];
    assert.ok(this.sessionId, 'initialize: no Mcp-Session-Id header');
    this.protocolVersion = msg.result.protocolVersion;
    const ack = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(ack.status, 202, `notifications/initialized: ${ack.status} ${ack.text}`);
    return msg.result;
  }

  /** Sends a request; returns its JSON-RPC response (asserts HTTP 200). */
  async request(method, params, { headers } = {}) {
    const id = this.nextId++;
    const res = await this.post({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }, { headers });
    assert.equal(res.status, 200, `${method}: HTTP ${res.status} ${res.text}`);
    const msg = res.messages.find((m) => m.id === id);
    assert.ok(msg, `${method}: no response with id ${id} in ${res.text}`);
    return msg;
  }

  /** Calls a tool; returns the parsed JSON of its text result. */
  async callToolJson(name, args = {}) {
    const { json, isError } = await this.callTool(name, args);
    assert.ok(!isError, `${name}: isError ${JSON.stringify(json)}`);
    return json;
  }

  /** Calls a tool that may refuse; returns { json, isError } (json: toolJson of the result). */
  async callTool(name, args = {}) {
    const r = await this.request('tools/call', { name, arguments: args });
    assert.ok(r.result, `${name}: ${JSON.stringify(r)}`);
    return { json: toolJson(r.result), isError: r.result.isError === true };
  }

  /** Sends a notification; returns the HTTP answer (202 expected). */
  notify(method, params) {
    return this.post({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });
  }

  /** Opens the session's standalone GET stream (optionally resuming after lastEventId). */
  openStream({ lastEventId, headers = {} } = {}) {
    const h = this.headers({ 'content-type': undefined, accept: 'text/event-stream', ...headers });
    if (lastEventId !== undefined) h['last-event-id'] = lastEventId;
    return openSse(this.url, { headers: h, ca: this.ca });
  }

  /** DELETE: ends the session. Returns the HTTP answer. */
  delete() {
    return rawRequest(this.url, { method: 'DELETE', headers: this.headers({ 'content-type': undefined }), ca: this.ca });
  }
}

/**
 * A raw TCP connection (TLS when opts.tls is given: tls.connect options such
 * as { ca, servername }), for requests that must be byte-exact: a header
 * sent slowly, a body never sent, bytes that are not UTF-8.
 * Resolves once connected with
 *   { socket, received() (Buffer), text(), closed, write(bytes),
 *     waitFor(predicate(Buffer) | RegExp, ms, what), waitForClose(ms), destroy() }.
 */
export function rawConnection(port, { host = '127.0.0.1', tls: tlsOptions } = {}) {
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect({ port, host, ...tlsOptions })
      : net.connect({ port, host });
    let data = Buffer.alloc(0);
    const waiters = new Set();
    const conn = {
      socket,
      closed: false,
      error: undefined,
      received: () => data,
      text: () => data.toString('latin1'),
      write(bytes) {
        return new Promise((res, rej) => socket.write(bytes, (e) => (e ? rej(e) : res())));
      },
      /** Resolves (with the bytes so far) once `test` holds for them. */
      waitFor(test, ms = 10_000, what = String(test)) {
        const match = test instanceof RegExp ? (b) => test.test(b.toString('latin1')) : test;
        if (match(data)) return Promise.resolve(data);
        let w;
        const p = new Promise((res, rej) => { w = { match, res, rej }; waiters.add(w); });
        return withTimeout(p, ms, `${what} (received so far: ${JSON.stringify(conn.text().slice(0, 500))})`)
          .finally(() => waiters.delete(w));
      },
      /** Resolves once the server closed (or reset) the connection. */
      waitForClose(ms = 10_000) {
        return withTimeout(closedPromise, ms, `the server to close the connection (received: ${JSON.stringify(conn.text().slice(0, 300))})`);
      },
      destroy() { socket.destroy(); },
    };
    let markClosed;
    const closedPromise = new Promise((r) => { markClosed = r; });
    const check = () => {
      for (const w of waiters) {
        if (w.match(data)) { waiters.delete(w); w.res(data); } else if (conn.closed) { waiters.delete(w); w.rej(new Error(`connection closed; received ${JSON.stringify(conn.text().slice(0, 500))}`)); }
      }
    };
    socket.on('data', (d) => { data = Buffer.concat([data, d]); check(); });
    socket.on('error', (e) => { conn.error = e; });
    socket.on('close', () => { conn.closed = true; markClosed(); check(); });
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => resolve(conn));
    socket.once('error', (e) => { if (!conn.closed) reject(e); });
  });
}

/**
 * A throwaway certificate authority and a server certificate it signed for
 * localhost and 127.0.0.1, made with the openssl command line in `dir`.
 * Returns { caFile, certFile, keyFile, ca (PEM text) }.
 */
export async function makeTestCertificate(dir) {
  const caKey = path.join(dir, 'ca.key');
  const caFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'server.key');
  const csr = path.join(dir, 'server.csr');
  const certFile = path.join(dir, 'server.pem');
  const ext = path.join(dir, 'server.ext');
  const openssl = (args, input) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8', input, timeout: 60_000 });
    if (r.error) throw r.error;
    assert.equal(r.status, 0, `openssl ${args.join(' ')}:\n${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', '/CN=blender-bus test CA']);
  openssl(['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=localhost']);
  await writeFile(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n' +
    'keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile,
    '-days', '2', '-extfile', ext]);
  return { caFile, certFile, keyFile, ca: await readFile(caFile, 'utf8') };
}

/**
 * Parses one HTTP/1.1 response at the start of `bytes` (a Buffer), framed by
 * Content-Length, chunked encoding, or (with `toClose`) the end of the
 * connection. Returns undefined while it is incomplete, else
 * { status, headers (lowercase names), body (Buffer), rest (Buffer after it) }.
 * `head: true` reads a response to HEAD: headers only, whatever they say.
 */
export function parseRawResponse(bytes, { head = false, toClose = false } = {}) {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const start = end + 4;
  if (head || status === 204 || status === 304) {
    return { status, headers, body: Buffer.alloc(0), rest: bytes.subarray(start) };
  }
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (bytes.length < start + n) return undefined;
    return { status, headers, body: bytes.subarray(start, start + n), rest: bytes.subarray(start + n) };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts = [];
    let at = start;
    for (;;) {
      const lineEnd = bytes.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error(`bad chunk size line at ${at}: ${JSON.stringify(bytes.subarray(at, lineEnd + 2).toString('latin1'))}`);
      if (bytes.length < lineEnd + 2 + size + 2) return undefined;
      if (bytes.subarray(lineEnd + 2 + size, lineEnd + 4 + size).toString('latin1') !== '\r\n') {
        throw new Error(`chunk of ${size} bytes at ${at} is not followed by CRLF`);
      }
      if (size === 0) return { status, headers, body: Buffer.concat(parts), rest: bytes.subarray(lineEnd + 4) };
      parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 4 + size;
    }
  }
  if (!toClose) return undefined;
  return { status, headers, body: bytes.subarray(start), rest: Buffer.alloc(0) };
}

// The /auth routes under hostile load (issue 12, defects 4 and 10), against
// the real binary:
// - argon2id runs on a worker pool, so an I/O thread with logins in flight
//   still answers a tool call at once (shown by the order of the answers,
//   not by durations), and a flood of logins gets 503 rather than a queue;
// - failed logins are throttled per (username, address) and per address with
//   exponential backoff: 429 with Retry-After, alike for known and unknown
//   names, without locking out the user from elsewhere or the users who
//   logged in from the attacked address before;
// - a store failure (another process holding the write lock) is a 500 and a
//   log line, never a reset connection;
// - the data directory is created 0700; a short OAUTH_SECRET_KEY is refused.
//
// Several clients are several source addresses: any of 127.0.0.0/8 reaches a
// server bound to 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import { RawSession, login, makeDataDir, rawRequest, serverBin, startServer } from './harness.mjs';

const ALICE = { username: 'alice', password: 'alice-password-1' };
const BOB = { username: 'bob', password: 'bob-password-2' };
const CAROL = { username: 'carol', password: 'carol-password-3' };

/** POST /auth/login from `from` (a source address); the raw answer. */
function postLogin(server, username, password, { from, onSent } = {}) {
  return rawRequest(`${server.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    localAddress: from,
    onSent,
  });
}

/** POST /auth/refresh; the raw answer. */
function postRefresh(server, refreshToken) {
  return rawRequest(`${server.baseUrl}/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}

/** What a client can tell of an answer: status, body and Retry-After. */
const seen = (res) => ({ status: res.status, body: res.text, retryAfter: res.headers['retry-after'] });

describe('login hashing runs beside the I/O thread, not on it', () => {
  test('with one I/O thread and four logins in flight, a tool call is answered before any of them', async () => {
    const server = await startServer({ users: [ALICE], args: ['--threads', '1'] });
    try {
      const { access_token: token } = await login(server, ALICE.username, ALICE.password);
      const session = new RawSession(server.mcpUrl, { token });
      await session.initialize();

      const order = [];
      let sent = 0;
      let allSent;
      const loginsSent = new Promise((resolve) => { allSent = resolve; });
      const logins = Array.from({ length: 4 }, (_, i) =>
        postLogin(server, ALICE.username, ALICE.password, { onSent: () => { if (++sent === 4) allSent(); } })
          .then((res) => { order.push(`login ${i}`); return res; }));
      // The server has the four logins before the tool call: one of them
      // hashing on the only I/O thread would hold the call back.
      await loginsSent;
      const listed = await session.callToolJson('blender_list_available_clients');
      order.push('tool call');
      assert.equal(listed.status, 'ok');
      for (const res of await Promise.all(logins)) assert.equal(res.status, 200, res.text);
      assert.equal(order[0], 'tool call', `answers in the order ${order.join(', ')}`);
      await session.delete();
    } finally {
      await server.stop();
    }
  });

  test('a flood of logins beyond the workers\' queue is answered 503 with Retry-After, the rest 200', async () => {
    const server = await startServer({ users: [ALICE] });
    try {
      const answers = await Promise.all(Array.from({ length: 120 }, () => postLogin(server, ALICE.username, ALICE.password)));
      const busy = answers.filter((r) => r.status === 503);
      const ok = answers.filter((r) => r.status === 200);
      assert.equal(busy.length + ok.length, answers.length,
        `only 200 and 503: ${[...new Set(answers.map((r) => r.status))].join(', ')}`);
      assert.ok(busy.length > 0, 'some logins were refused while the workers were full');
      assert.ok(ok.length > 0, 'the queued logins were answered');
      for (const r of busy) {
        assert.deepEqual(r.json, { detail: 'Server busy; retry shortly' });
        assert.equal(r.headers['retry-after'], '1');
      }
      // The flood is over: a login gets through again.
      await login(server, ALICE.username, ALICE.password);
    } finally {
      await server.stop();
    }
  });
});

describe('failed logins are throttled (exponential backoff, 429 + Retry-After)', () => {
  test('after five failures a known and an unknown user get the same 429; elsewhere and for others nothing changes', async () => {
    const server = await startServer({ users: [ALICE, BOB] });
    try {
      const ATTACKER_1 = '127.0.0.2';
      const ATTACKER_2 = '127.0.0.3';
      const fiveFailures = async (name, from) => {
        for (let i = 1; i <= 5; ++i) {
          const res = await postLogin(server, name, `wrong-${i}`, { from });
          assert.equal(res.status, 401, `${name} failure ${i}: ${res.text}`);
          assert.deepEqual(res.json, { detail: 'Invalid credentials' });
        }
      };
      // The first delay is a second: what follows each fifth failure comes
      // within it (answers that do no hash work).
      await fiveFailures(ALICE.username, ATTACKER_1);
      const known = seen(await postLogin(server, ALICE.username, 'wrong-6', { from: ATTACKER_1 }));
      // The right password is barred too from the address that failed.
      const rightPassword = seen(await postLogin(server, ALICE.username, ALICE.password, { from: ATTACKER_1 }));
      await fiveFailures('nobody-at-all', ATTACKER_2);
      const unknown = seen(await postLogin(server, 'nobody-at-all', 'wrong-6', { from: ATTACKER_2 }));
      // Known or unknown, the answer is the same (and costs no hash work).
      assert.deepEqual(known, { status: 429, body: JSON.stringify({ detail: 'Too many failed logins; retry later' }), retryAfter: '1' });
      assert.deepEqual(unknown, known);
      assert.deepEqual(rightPassword, known);
      // Not from alice's own address, though, and bob is untouched even there.
      assert.equal((await postLogin(server, ALICE.username, ALICE.password, { from: '127.0.0.4' })).status, 200);
      assert.equal((await postLogin(server, BOB.username, BOB.password, { from: ATTACKER_1 })).status, 200);
      assert.equal((await postLogin(server, BOB.username, BOB.password)).status, 200);
    } finally {
      await server.stop();
    }
  });

  test('spraying many names from one address bars it, except for a user who logged in from there before', async () => {
    const server = await startServer({ users: [ALICE, BOB, CAROL] });
    try {
      const NAT = '127.0.0.5';
      assert.equal((await postLogin(server, BOB.username, BOB.password, { from: NAT })).status, 200);
      for (let i = 1; i <= 20; ++i) {
        const res = await postLogin(server, `sprayed-${i}`, 'password', { from: NAT });
        assert.equal(res.status, 401, `spray ${i}: ${res.text}`);
      }
      const barred = await postLogin(server, 'sprayed-21', 'password', { from: NAT });
      assert.equal(barred.status, 429, barred.text);
      assert.ok(Number(barred.headers['retry-after']) >= 1, `Retry-After ${barred.headers['retry-after']}`);
      // Carol never logged in from there: barred with everyone else.
      assert.equal((await postLogin(server, CAROL.username, CAROL.password, { from: NAT })).status, 429);
      // Bob did: the sprayer behind the same address does not lock him out.
      assert.equal((await postLogin(server, BOB.username, BOB.password, { from: NAT })).status, 200);
      // And carol from her own address is fine.
      assert.equal((await postLogin(server, CAROL.username, CAROL.password, { from: '127.0.0.6' })).status, 200);
    } finally {
      await server.stop();
    }
  });
});

/**
 * Holds the store's write lock from another process (the sqlite3 shell, as an
 * operator's script might) until release() is called.
 */
async function holdWriteLock(dataDir) {
  const shell = spawn('sqlite3', [path.join(dataDir, 'blender-bus.db')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const locked = new Promise((resolve, reject) => {
    shell.stdout.setEncoding('utf8').on('data', (d) => { out += d; if (out.includes('locked')) resolve(); });
    shell.on('error', reject);
    shell.on('exit', (code) => reject(new Error(`sqlite3 exited ${code} before taking the lock`)));
  });
  shell.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
  await locked;
  return {
    async release() {
      const exited = new Promise((resolve) => shell.once('exit', resolve));
      shell.stdin.end('ROLLBACK;\n.quit\n');
      await exited;
    },
  };
}

describe('a failing store is a 500, not a reset connection', () => {
  test('login and refresh while another process holds the write lock → 500 and a log line; afterwards both work', async () => {
    const server = await startServer({ users: [ALICE] });
    try {
      const tokens = await login(server, ALICE.username, ALICE.password);
      const lock = await holdWriteLock(server.dataDir);
      try {
        // The store waits its busy timeout (5 s), then gives up.
        const res = await postLogin(server, ALICE.username, ALICE.password);
        assert.equal(res.status, 500, res.text);
        assert.deepEqual(res.json, { detail: 'Internal server error' });
        const refreshed = await postRefresh(server, tokens.refresh_token);
        assert.equal(refreshed.status, 500, refreshed.text);
      } finally {
        await lock.release();
      }
      assert.match(server.stderr(), /auth: \/auth\/login failed: .*locked/);
      await login(server, ALICE.username, ALICE.password);
      const again = await postRefresh(server, tokens.refresh_token);
      assert.equal(again.status, 200, again.text);
    } finally {
      await server.stop();
    }
  });
});

describe('secrets at start', () => {
  test('a new data directory is created 0700', async () => {
    const parent = await makeDataDir();
    const dataDir = path.join(parent, 'data');
    // Whatever the caller's umask, the directory holding hashes and the secret is private.
    const umask = process.umask(0o022);
    let server;
    try {
      server = await startServer({ dataDir });
    } finally {
      process.umask(umask);
    }
    try {
      assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
    } finally {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    }
  });

  test('an OAUTH_SECRET_KEY shorter than 32 bytes is refused at start, saying why', async () => {
    const dataDir = await makeDataDir();
    const proc = spawn(serverBin(), ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
      { env: { ...process.env, OAUTH_SECRET_KEY: 'x'.repeat(31) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    // Either it exits, or it serves (and is stopped here, failing the test).
    const outcome = await new Promise((resolve) => {
      proc.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
      proc.stdout.setEncoding('utf8').on('data', (d) => {
        stdout += d;
        if (/listening on/.test(stdout)) resolve('served');
      });
      exited.then((code) => resolve(code));
    });
    if (outcome === 'served') {
      proc.kill('SIGKILL');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
    assert.notEqual(outcome, 'served', `a 31-byte secret was accepted; stderr:\n${stderr}`);
    assert.notEqual(outcome, 0, 'exit code 0');
    assert.match(stderr, /OAUTH_SECRET_KEY is 31 bytes; it needs at least 32/);
  });
});

// `blender-bus --version`, `serve --config FILE` and its precedence (flags >
// file > environment), and start errors that name the flag (issue 17).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, assertNoSanitizerReport, sanitizerEnv, serverBin, startServer } from './harness.mjs';

let tmp;
before(async () => { tmp = await mkdtemp(path.join(tmpdir(), 'blender-bus-config-')); });
after(async () => { if (tmp) await rm(tmp, { recursive: true, force: true }); });

let files = 0;
async function configFile(text) {
  const file = path.join(tmp, `config-${++files}.toml`);
  await writeFile(file, text);
  return file;
}

/** Runs the binary to its end (for commands that must exit by themselves). */
function run(args, env = {}) {
  const r = spawnSync(serverBin(), args, { encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, ...sanitizerEnv(), ...env } });
  if (r.error) throw r.error;
  assertNoSanitizerReport(r.stderr, args[0]);
  return r;
}

/** A port held open by this process (so binding it fails). */
async function busyPort() {
  const holder = net.createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return { port: holder.address().port, close: () => new Promise((resolve) => holder.close(resolve)) };
}

const hostOf = (server) => new URL(server.baseUrl).hostname;

describe('--version', () => {
  test('prints the CMake project version and the git revision, exit 0', async () => {
    const cmake = await readFile(path.join(REPO_ROOT, 'CMakeLists.txt'), 'utf8');
    const version = /project\(blender_bus VERSION (\S+)/.exec(cmake)[1];
    const r = run(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^blender-bus ${version.replaceAll('.', '\\.')} \\(git ([0-9a-f]{7,}(-dirty)?|unknown)\\)\\n$`));
  });
});

describe('serve --config', () => {
  test('the file sets what no flag sets', async () => {
    const file = await configFile('host = "127.0.0.3"\nport = 0\ninbox-max-records = 100\n');
    const server = await startServer({ host: null, port: null, args: ['--auth', 'none', '--config', file] });
    try {
      assert.equal(hostOf(server), '127.0.0.3');
    } finally {
      await server.stop();
    }
  });

  test('a flag wins over the file, the file over the environment', async () => {
    const busy = await busyPort();
    try {
      // The file's host and busy port lose to the flags...
      const file = await configFile(`host = "127.0.0.3"\nport = ${busy.port}\n`);
      const flags = await startServer({ host: '127.0.0.1', port: 0, args: ['--auth', 'none', '--config', file],
        env: { BLENDER_MCP_HOST: '127.0.0.2' } });
      assert.equal(hostOf(flags), '127.0.0.1');
      await flags.stop();
      // ...and win over the environment's.
      const fileWins = await startServer({ host: null, port: null,
        args: ['--auth', 'none', '--config', await configFile('host = "127.0.0.3"\nport = 0\n')],
        env: { BLENDER_MCP_HOST: '127.0.0.2', BLENDER_MCP_PORT: String(busy.port) } });
      assert.equal(hostOf(fileWins), '127.0.0.3');
      assert.notEqual(fileWins.port, busy.port);
      await fileWins.stop();
      // Without either, the environment is used.
      const envOnly = await startServer({ host: null, port: 0, args: ['--auth', 'none'],
        env: { BLENDER_MCP_HOST: '127.0.0.2' } });
      assert.equal(hostOf(envOnly), '127.0.0.2');
      await envOnly.stop();
    } finally {
      await busy.close();
    }
  });

  test('the packaged example config is valid', async () => {
    // packaging/blender-bus.conf, with its data dir and port moved here.
    const text = await readFile(path.join(REPO_ROOT, 'packaging', 'blender-bus.conf'), 'utf8');
    const file = await configFile(text);
    const server = await startServer({ port: 0, args: ['--auth', 'none', '--config', file] });
    await server.stop();
  });

  test('an unknown key, a bad value or bad TOML: exit 64 naming the file and line', async () => {
    const cases = [
      ['port = 0\nbogus = 1\n', /config-\d+\.toml:2: bogus: unknown setting \(keys are the long names of `serve` flags, without --\)/],
      ['port = "eighty"\n', /config-\d+\.toml:1: port: Could not convert: --port = eighty/],
      ['port = 0\nkeep-alive = 0\n', /config-\d+\.toml:2: keep-alive: /],
      ['port = \n', /config-\d+\.toml:1:8: /],
      ['[serve]\nport = 0\n', /config-\d+\.toml:1:\d+: serve: expected a string, number, boolean or array/],
    ];
    for (const [text, message] of cases) {
      const file = await configFile(text);
      const r = run(['serve', '--data-dir', path.join(tmp, 'never'), '--config', file]);
      assert.equal(r.status, 64, `${JSON.stringify(text)}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const missing = run(['serve', '--config', path.join(tmp, 'missing.toml')]);
    assert.equal(missing.status, 64, missing.stderr);
    assert.match(missing.stderr, /missing\.toml: File could not be opened for reading/);
  });
});

describe('start errors name the flag', () => {
  test('an address in use: exit 1 with the address and --port', async () => {
    const busy = await busyPort();
    try {
      const r = run(['serve', '--auth', 'none', '--port', String(busy.port), '--data-dir', path.join(tmp, 'data-busy')]);
      assert.equal(r.status, 1, r.stderr);
      assert.ok(r.stderr.includes(`cannot listen on 127.0.0.1:${busy.port}: Address already in use ` +
        '(choose another port with --port or BLENDER_MCP_PORT, 0 for any free one, or another address with --host)'), r.stderr);
    } finally {
      await busy.close();
    }
  });

  test('a data directory that cannot be created: exit 1 with the path and --data-dir', async () => {
    const file = path.join(tmp, 'a-file');
    await writeFile(file, 'not a directory\n');
    const r = run(['serve', '--auth', 'none', '--port', '0', '--data-dir', path.join(file, 'data')]);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes(`data directory ${path.join(file, 'data')}: cannot create it: Not a directory ` +
      '(choose another with --data-dir, or give this user write access)'), r.stderr);
  });

  test('a host that is not an IP address: exit 1 naming --host', () => {
    const r = run(['serve', '--host', 'nowhere', '--data-dir', path.join(tmp, 'data-host')]);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(r.stderr.includes('--host nowhere: not an IP address'), r.stderr);
  });
});

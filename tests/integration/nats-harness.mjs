// Real nats-server processes for integration tests: the same deployments the
// C++ unit tests and bench/ use, defined once in tests/cluster/nats-cluster.sh.
//
//   const nats = await startNats({ servers: 3, t });  // one JetStream cluster
//   nats.urls               ['nats://127.0.0.1:P', ...] (client URLs, n1..nN)
//   nats.urlOf('n2')        one server's URL
//   await nats.kill('n1')   kill -9 (its store stays); nats.term(name) is SIGTERM
//   await nats.restart('n1')  same ports and store; resolves once it is healthy
//   await nats.stop()       stops every server and removes the temporary dir
//
// servers: 1 (default) is one standalone JetStream server. start and restart
// resolve once every server answers /healthz "ok" (for a cluster: a
// JetStream meta leader exists).
//
// Every server started here is stopped, however the test ends:
// - t (a test context, or anything with after(fn)): stop() runs after that
//   test, also when it timed out or was cancelled (node:test runs after
//   hooks then; a `finally` in a test that hangs never runs);
// - this process exiting, or ending on SIGINT, SIGTERM or SIGHUP (node
//   --test sends SIGTERM to a file whose tests are over but whose event loop
//   is still busy): every server still running is killed -9 on the spot;
// - this process killed -9: the script's watchdog stops them within seconds;
// - a start that fails or runs past its timeout: the script kills what it
//   launched.

import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT } from './harness.mjs';

const SCRIPT = path.join(REPO_ROOT, 'tests', 'cluster', 'nats-cluster.sh');
const SCRIPT_TIMEOUT_MS = 120_000;

/** Deployment dirs whose servers may be running. */
const live = new Set();

function script(...args) {
  return new Promise((resolve, reject) => {
    execFile(SCRIPT, args, {
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin`, NATS_CLUSTER_OWNER: String(process.pid) },
      timeout: SCRIPT_TIMEOUT_MS,
    }, (error, stdout, stderr) => {
      if (error) reject(new Error(`nats-cluster.sh ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Whether PID is a running (not zombie) nats-server with its store in DIR. */
export function isServerOf(pid, dir) {
  try {
    const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== undefined && state !== 'Z' &&
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${dir}/`);
  } catch {
    return false;  // gone
  }
}

/** The pids of DIR's servers that are running now. */
export function runningServerPids(dir) {
  let names;
  try {
    names = readFileSync(path.join(dir, 'names'), 'utf8').trim().split(/\s+/);
  } catch {
    return [];
  }
  const pids = [];
  for (const name of names) {
    let pid;
    try {
      pid = Number(readFileSync(path.join(dir, name, 'pid'), 'utf8').trim());
    } catch {
      continue;  // not launched yet
    }
    if (isServerOf(pid, dir)) pids.push(pid);
  }
  return pids;
}

/** Kills -9 every server of every live deployment and removes their dirs, synchronously. */
function killAllNow() {
  for (const dir of live) {
    for (const pid of runningServerPids(dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

let exitHooksInstalled = false;
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, function onSignal() {
      killAllNow();
      // Then end as the signal would have, unless someone else handles it.
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Whether nats-server is installed (scripts/test installs it). */
export async function natsServerAvailable() {
  try {
    await promisify(execFile)('sh', ['-c', 'command -v nats-server || test -x /usr/sbin/nats-server']);
    return true;
  } catch {
    return false;
  }
}

export async function startNats({ servers = 1, t } = {}) {
  installExitHooks();
  const dir = await mkdtemp(path.join(tmpdir(), 'bb-nats-'));
  live.add(dir);
  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      try {
        await script('stop', dir);
      } finally {
        live.delete(dir);
        await rm(dir, { recursive: true, force: true });
      }
    })();
    return stopped;
  };
  t?.after(stop);
  try {
    await script('start', dir, String(servers));
  } catch (e) {
    await stop().catch((stopError) => { e.message += `\n(and stopping: ${stopError.message})`; });
    throw e;
  }
  const urls = (await script('urls', dir)).trim().split(',');
  const names = urls.map((_, i) => `n${i + 1}`);
  return {
    dir,
    urls,
    names,
    urlOf: (name) => urls[names.indexOf(name)],
    kill: (name) => script('kill', dir, name),
    term: (name) => script('term', dir, name),
    restart: (name) => script('restart', dir, name),
    async pid(name) {
      return Number((await script('pid', dir, name)).trim());
    },
    stop,
  };
}

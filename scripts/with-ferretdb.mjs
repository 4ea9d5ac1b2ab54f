#!/usr/bin/env node
// Runs a command with GOZCU_TEST_MONGO_URL set: the MongoDB-wire server the tests use (the store
// contract, the scale-out rehearsal). When MONGO_URL is given it is used as is; otherwise a private
// FerretDB (https://www.ferretdb.com, SQLite backend) is started on a free loopback port with a
// temporary directory, and stopped on exit. MONGO_URL itself is not set for the command, so the
// integration tests keep their embedded SQLite store.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: with-ferretdb.mjs <command> [args…]');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (exited()) return reject(new Error('ferretdb exited before it listened'));
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`ferretdb did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** ferretdb on PATH, else in Go's bin directory (where scripts/setup.sh builds it). */
function findFerretdb() {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'ferretdb'));
  let gopath = process.env.GOPATH;
  if (!gopath) {
    try {
      gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      gopath = join(homedir(), 'go');
    }
  }
  const goBins = gopath.split(delimiter).filter(Boolean).map((dir) => join(dir, 'bin', 'ferretdb'));
  return [...onPath, ...goBins].find(executable);
}

async function startPrivateFerretdb() {
  const bin = findFerretdb();
  if (!bin) {
    console.error(
      [
        'The MongoDB store tests need a MongoDB-wire server: no MONGO_URL was given and no `ferretdb` was found',
        '(on PATH or in $(go env GOPATH)/bin). Get one of:',
        '  ./scripts/setup.sh        builds FerretDB v1.24.2 when Go is installed (https://go.dev/dl/)',
        '  MONGO_URL=mongodb://127.0.0.1:27017/?directConnection=true   a running MongoDB (a replica set or not)',
      ].join('\n'),
    );
    process.exit(3);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-ferretdb-'));
  let exited = false;
  let stopping = false;
  const ferret = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  ferret.once('exit', (code) => {
    exited = true;
    if (!stopping) console.error(`private ferretdb exited unexpectedly (code ${code})`);
  });
  await waitForPort(port, 15_000, () => exited);
  console.error(`[with-ferretdb] private FerretDB on 127.0.0.1:${port} (${dir})`);
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    stop: () => {
      stopping = true;
      ferret.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ferret = process.env.MONGO_URL ? null : await startPrivateFerretdb();
const env = { ...process.env, GOZCU_TEST_MONGO_URL: ferret ? ferret.url : process.env.MONGO_URL };
const child = spawn(cmd, args, { stdio: 'inherit', env, shell: false });

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  ferret?.stop();
  process.exit(code ?? (signal ? 128 : 1));
});
child.on('error', (e) => {
  console.error(`cannot run ${cmd}: ${e.message}`);
  ferret?.stop();
  process.exit(127);
});

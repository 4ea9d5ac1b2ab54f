#!/usr/bin/env node
// Runs a command with GOZCU_TEST_MONGO_URL set: the MongoDB-wire server the tests use (the store
// contract, the scale-out rehearsal). When MONGO_URL is given it is used as is; otherwise a private
// FerretDB (https://www.ferretdb.com, SQLite backend) is started on a free loopback port with a
// temporary directory, and stopped on exit. MONGO_URL itself is not set for the command, so the
// integration tests keep their embedded SQLite store.
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { commandFromArgv, executable, onPath, runCommand, startPrivate } from './private-process.mjs';

const command = commandFromArgv('with-ferretdb.mjs');

/** ferretdb on PATH, else in Go's bin directory (where scripts/setup.sh builds it). */
function findFerretdb() {
  let gopath = process.env.GOPATH;
  if (!gopath) {
    try {
      gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      gopath = join(homedir(), 'go');
    }
  }
  const goBins = gopath
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'bin', 'ferretdb'));
  return [...onPath('ferretdb'), ...goBins].find(executable);
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
  const ferret = await startPrivate({
    name: 'ferretdb',
    program: 'ferretdb',
    label: 'FerretDB',
    bin,
    argsFor: (port, dir) => [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    listenTimeoutMs: 15_000,
  });
  return { url: `mongodb://127.0.0.1:${ferret.port}/`, stop: ferret.stop };
}

const ferret = process.env.MONGO_URL ? null : await startPrivateFerretdb();
const env = { ...process.env, GOZCU_TEST_MONGO_URL: ferret ? ferret.url : process.env.MONGO_URL };
// the command gets the signal; FerretDB is stopped once it has exited
runCommand(command, env, ferret?.stop);

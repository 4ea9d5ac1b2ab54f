#!/usr/bin/env node
// Runs a command with REDIS_URL set. When REDIS_URL is not given, starts a private
// `redis-server` from PATH on a free port with a temporary directory, and stops it on exit.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: with-redis.mjs <command> [args…]');
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

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function startPrivateRedis() {
  const bin = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'redis-server'))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (!bin) {
    console.error(
      [
        'Gözcü needs Redis, and no REDIS_URL was given and no `redis-server` is on PATH.',
        'Get one of:',
        '  Debian/Ubuntu:  sudo apt-get install -y redis-server',
        '  macOS:          brew install redis',
        '  Docker:         docker compose up -d redis   (then REDIS_URL=redis://127.0.0.1:6379)',
        'or point REDIS_URL at a running server.',
      ].join('\n'),
    );
    process.exit(3);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-redis-'));
  // its own process group: a Ctrl-C or `timeout` that signals our whole group must not stop
  // Redis before the command has shut down (Redis goes last, after the command exits)
  const redis = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  process.once('exit', () => {
    if (redis.exitCode === null) redis.kill('SIGKILL');
  });
  redis.once('exit', (code) => {
    if (!stopping) console.error(`private redis-server exited unexpectedly (code ${code})`);
  });
  let stopping = false;
  await waitForPort(port, 10_000);
  console.error(`[with-redis] private redis-server on 127.0.0.1:${port} (${dir})`);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      stopping = true;
      redis.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const redis = process.env.REDIS_URL ? null : await startPrivateRedis();
const env = { ...process.env, ...(redis ? { REDIS_URL: redis.url } : {}) };
const child = spawn(cmd, args, { stdio: 'inherit', env, shell: false });

// the command gets the signal (again, when it came to the whole group: harmless) and has
// 15 s to exit before it is killed; Redis is stopped only once it has exited
let forced = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    forced ??= setTimeout(() => child.kill('SIGKILL'), 15_000);
  });
}
child.on('exit', (code, signal) => {
  if (forced) clearTimeout(forced);
  redis?.stop();
  process.exit(code ?? (signal ? 128 : 1));
});
child.on('error', (e) => {
  console.error(`cannot run ${cmd}: ${e.message}`);
  redis?.stop();
  process.exit(127);
});

#!/usr/bin/env node
// Runs a command with REDIS_URL set. When REDIS_URL is not given, starts a private
// `redis-server` from PATH on a free port with a temporary directory, and stops it on exit.
import { commandFromArgv, executable, onPath, runCommand, startPrivate } from './private-process.mjs';

const command = commandFromArgv('with-redis.mjs');

async function startPrivateRedis() {
  const bin = onPath('redis-server').find(executable);
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
  // its own process group: a Ctrl-C or `timeout` that signals our whole group must not stop
  // Redis before the command has shut down (Redis goes last, after the command exits)
  const redis = await startPrivate({
    name: 'redis',
    program: 'redis-server',
    label: 'redis-server',
    bin,
    argsFor: (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    listenTimeoutMs: 10_000,
    detached: true,
    killOnExit: true,
  });
  return { url: `redis://127.0.0.1:${redis.port}`, stop: redis.stop };
}

const redis = process.env.REDIS_URL ? null : await startPrivateRedis();
const env = { ...process.env, ...(redis ? { REDIS_URL: redis.url } : {}) };
// the command gets the signal (again, when it came to the whole group: harmless) and has
// 15 s to exit before it is killed; Redis is stopped only once it has exited
runCommand(command, env, redis?.stop, { graceMs: 15_000 });

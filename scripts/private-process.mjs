// What with-redis.mjs and with-ferretdb.mjs share: start a private server on a free loopback port
// with a temporary directory, run the command with it, stop it when the command has exited.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The command and its arguments after the script's name; exits 2 with the usage when none. */
export function commandFromArgv(script) {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) {
    console.error(`usage: ${script} <command> [args…]`);
    process.exit(2);
  }
  return { cmd, args };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something listens on 127.0.0.1:port; rejects at the deadline or when `exited()` says the server is gone. */
function waitForPort(name, port, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (exited()) return reject(new Error(`${name} exited before it listened`));
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** `name` in the PATH's directories, as a list of candidate files. */
export const onPath = (name) =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name));

/**
 * Starts `bin` (`program` in messages, `label` in the banner; `name` names the wrapper and the
 * directory) with `argsFor(port, dir)` on a free port and a fresh temporary directory, waits
 * until it listens, and returns { port, dir, stop }. `stop` sends SIGTERM and removes the directory.
 * - `detached`: its own process group, so a signal sent to our whole group (Ctrl-C, `timeout`)
 *   does not stop the server before the command has shut down;
 * - `killOnExit`: SIGKILL it when this process exits and it is still running.
 */
export async function startPrivate({ name, program, label, bin, argsFor, listenTimeoutMs, detached = false, killOnExit = false }) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `gozcu-${name}-`));
  let exited = false;
  let stopping = false;
  const server = spawn(bin, argsFor(port, dir), { stdio: ['ignore', 'ignore', 'inherit'], ...(detached ? { detached: true } : {}) });
  if (killOnExit) {
    process.once('exit', () => {
      if (server.exitCode === null) server.kill('SIGKILL');
    });
  }
  server.once('exit', (code) => {
    exited = true;
    if (!stopping) console.error(`private ${program} exited unexpectedly (code ${code})`);
  });
  await waitForPort(program, port, listenTimeoutMs, () => exited);
  console.error(`[with-${name}] private ${label} on 127.0.0.1:${port} (${dir})`);
  return {
    port,
    dir,
    stop: () => {
      stopping = true;
      server.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the command with `env`, passing SIGINT/SIGTERM/SIGHUP on to it; with `graceMs` it is
 * killed that long after the first signal if it has not exited. When it exits, `stop()` (the
 * private server, if any) and this process exits with its code.
 */
export function runCommand({ cmd, args }, env, stop, { graceMs } = {}) {
  const child = spawn(cmd, args, { stdio: 'inherit', env, shell: false });
  let forced = null;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (graceMs === undefined) return child.kill(signal);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      forced ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
    });
  }
  child.on('exit', (code, signal) => {
    if (forced) clearTimeout(forced);
    stop?.();
    process.exit(code ?? (signal ? 128 : 1));
  });
  child.on('error', (e) => {
    console.error(`cannot run ${cmd}: ${e.message}`);
    stop?.();
    process.exit(127);
  });
}

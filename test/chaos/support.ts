import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/app';
import { REPO_ROOT } from '../support/paths';

/** A private redis-server for one chaos test, that the test may kill, freeze and resume. */
export async function privateRedis(): Promise<{ url: string; proc: ChildProcess; kill(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-chaos-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitFor(async () => {
    return new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => (s.destroy(), resolve(false)));
    });
  }, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    proc,
    kill: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGCONT');
        proc.kill('SIGKILL');
      }),
  };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  /** resolves with how long after `at` the process exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The built server (`server/dist/main.js`, as `npm start` runs it) as a child process. */
export async function startServer(env: Record<string, string>, opts: { dataDir?: string; port?: number } = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gozcu-chaos-data-'));
  let out = '';
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'server', 'dist', 'main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  await Promise.race([
    waitFor(() => out.includes('Gözcü is running'), 60_000, 'the server to start'),
    exited.then((e) => {
      throw new Error(`the server exited before it started (${e.code ?? e.signal}): ${out.slice(-2000)}`);
    }),
  ]);
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** A loopback TCP proxy in front of a server whose connections the test can cut at once (a network drop). */
export async function cuttableProxy(targetPort: number): Promise<{ url: string; open(): number; cut(): number; close(): Promise<void> }> {
  const pairs = new Set<[Socket, Socket]>();
  const srv = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) s.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => pairs.size,
    /** resets every connection through the proxy (both sides see it drop); answers how many */
    cut: () => {
      const n = pairs.size;
      for (const [client, upstream] of [...pairs]) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        srv.close(() => resolve());
      }),
  };
}

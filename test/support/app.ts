import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../server/src/app';
import { loadConfig, type AppConfig } from '../../server/src/infra/config';

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  port: number;
  dataDir: string;
  config: AppConfig;
  /** stops the server; keeps the data directory when asked (to start again on it) */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/** A port nobody listens on right now (for a restart on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the real application with a fresh (or the given) SQLite data directory, against the test Redis. */
export async function startApp(env: Record<string, string> = {}, opts: { dataDir?: string; port?: number } = {}): Promise<RunningApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gozcu-app-'));
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...env });
  const app = await createApp(config);
  await app.listen(opts.port ?? 0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    config,
    async close(closeOpts = {}) {
      await app.close();
      if (!closeOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

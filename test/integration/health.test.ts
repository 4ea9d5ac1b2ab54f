import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, TS_NODE, TS_NODE_ENV } from '../support/paths';
import { startApp, type RunningApp } from '../support/app';

describe('GET /healthz', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('answers 200 when the store and Redis answer', async () => {
    running = await startApp();
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', store: 'sqlite', redis: 'ok' });
  });

  it('answers 503 naming Redis when Redis does not answer', async () => {
    running = await startApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; failures: string[] };
    expect(body.status).toBe('unavailable');
    expect(body.failures).toHaveLength(1);
    expect(body.failures[0]).toMatch(/^redis: /);
  });
});

describe('start-up with a bad environment', () => {
  it('stops with a message naming the variable and what is wrong', () => {
    const res = spawnSync(process.execPath, [...TS_NODE, join(REPO_ROOT, 'server', 'src', 'main.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...TS_NODE_ENV, PORT: 'eighty', YSK_BALLOT_TYPES: '2,5' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('PORT');
    expect(res.stderr).toContain('PORT: must be a number (got "eighty")');
    expect(res.stderr).toContain('YSK_BALLOT_TYPES: item 2: each ballot type must be one of 2, 3, 4, 6, 7, 8, 9');
  });
});

import { ADMIN_PASSWORD, login } from '../support/auth';
import { privateRedis, startServer } from './support';

/**
 * Issue 13, finding 6: SIGTERM while Redis is down (killed, or frozen with SIGSTOP) once left
 * the server alive for minutes. The bound is a correctness property: the process is gone
 * within 10 s, whatever Redis does.
 */
describe('chaos: bounded shutdown', () => {
  const env = (redis: string) => ({
    REDIS_URL: redis,
    GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SIM_SOURCE: 'bayburt',
    SIM_BALLOT_TYPES: '2',
    YSK_BALLOT_TYPES: '2',
  });

  for (const fault of ['killed', 'frozen'] as const) {
    it(`SIGTERM with Redis ${fault} ends the server within 10 s`, async () => {
      const redis = await privateRedis();
      try {
        const server = await startServer(env(redis.url));
        // the night is under way: signed-in traffic, polling, a socket gateway
        const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
        expect((await admin.get('/api/coverage')).status).toBe(200);
        if (fault === 'killed') await redis.kill();
        else redis.proc.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, 1_000));
        const sent = Date.now();
        server.proc.kill('SIGTERM');
        const timer = setTimeout(() => server.proc.kill('SIGKILL'), 20_000);
        const { at } = await server.exited;
        clearTimeout(timer);
        const ms = at - sent;
        process.stdout.write(`[chaos] shutdown with Redis ${fault}: exited ${ms} ms after SIGTERM\n`);
        expect(ms).toBeLessThan(10_000);
      } finally {
        await redis.kill();
      }
    }, 60_000);
  }
});

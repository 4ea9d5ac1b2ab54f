import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD } from '../support/auth';

// an election of its own: the throttle buckets (in Redis) are namespaced by it
const env = (election: string) => ({ YSK_ELECTION_ID: `${election}${process.pid}`, GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGIN_RATE_LIMIT: '2' });

/** Behind nginx every request comes from the balancer; TRUST_PROXY makes rate limits count the real clients. */
describe('TRUST_PROXY: rate limits per real client behind a balancer', () => {
  const apps: RunningApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function logins(app: RunningApp, client: string, n: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${app.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify({ username: 'nobody', password: 'wrong-password-123' }),
      });
      statuses.push(res.status);
    }
    return statuses;
  }

  it('with TRUST_PROXY=loopback each forwarded client has its own bucket', async () => {
    const app = await startApp({ ...env('trustproxy'), TRUST_PROXY: 'loopback' });
    apps.push(app);
    expect(await logins(app, '203.0.113.1', 3)).toEqual([401, 401, 429]);
    expect(await logins(app, '203.0.113.2', 1)).toEqual([401]);
  });

  it('without it every client behind the balancer shares one bucket (X-Forwarded-For is not believed)', async () => {
    const app = await startApp(env('notrust'));
    apps.push(app);
    expect(await logins(app, '203.0.113.1', 2)).toEqual([401, 401]);
    expect(await logins(app, '203.0.113.2', 1)).toEqual([429]);
  });
});

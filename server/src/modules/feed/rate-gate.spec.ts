import { GateClosedError, RateGate } from './rate-gate';

async function timeOf(n: number, gate: RateGate): Promise<number> {
  const t0 = Date.now();
  await Promise.all(Array.from({ length: n }, () => gate.acquire()));
  return Date.now() - t0;
}

describe('RateGate (in-process)', () => {
  it('spaces requests at the cap and follows a cap changed at run time', async () => {
    let rps = 50;
    const gate = new RateGate({ redis: null, prefix: 't', rps: () => rps });
    const slow = await timeOf(21, gate);
    expect(slow).toBeGreaterThanOrEqual(350);
    expect(slow).toBeLessThan(1200);
    rps = 1000;
    expect(await timeOf(21, gate)).toBeLessThan(200);
  });

  it('holds every request for a Retry-After', async () => {
    const gate = new RateGate({ redis: null, prefix: 't', rps: () => 1000 });
    await gate.hold(300);
    expect(await timeOf(1, gate)).toBeGreaterThanOrEqual(250);
  });

  it('blocks while paused, and a closed gate wakes its waiters with an error', async () => {
    let paused: string | null = 'paused by an operator';
    const gate = new RateGate({ redis: null, prefix: 't', rps: () => 1000, blocked: () => paused });
    let through = false;
    const waiting = gate.acquire().then(() => (through = true));
    await new Promise((r) => setTimeout(r, 400));
    expect(through).toBe(false);
    paused = null;
    await waiting;
    expect(through).toBe(true);
    paused = 'again';
    const closed = gate.acquire();
    gate.close();
    await expect(closed).rejects.toBeInstanceOf(GateClosedError);
  });
});

import { boxKey, type BoxChange, type BoxRef } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import type { AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { strictFake } from '../../infra/strict-fake';
import { ReconcileService } from './reconcile.service';

const MIN = 60_000;
const T = Date.parse('2024-03-31T19:00:00.000Z');
const ref: BoxRef = { election: '2024yerel', ballot: 2, province: 69, district: 681, boxNo: 1001 };
const key = boxKey(ref);

type Store = ConstructorParameters<typeof ReconcileService>[1];

/** A clock whose running time (wall) is held too: what a unit test of the stale tick needs. */
class HeldClock extends Clock {
  override wall(): number {
    return this.now();
  }
}

describe('ReconcileService stale tick on the injected clock (strict fake store)', () => {
  it("turns a box published and then left alone stale at the clock's time, escalated once and emitted", async () => {
    const escalated: Array<{ key: string; reason: string; at: string }> = [];
    const store = strictFake<Store>('store', {
      upsertBoxes: async () => undefined,
      escalate: async (e) => {
        escalated.push({ key: e.key, reason: e.reason, at: e.at });
        return { ...e, id: `esc-${escalated.length}` };
      },
    });
    const config = strictFake<AppConfig>('AppConfig', { YSK_ELECTION_ID: ref.election, STALE_AFTER_MINUTES: 20, ENTRY_CONFIRMATIONS: 1 });
    const bus = new ChangeBus();
    const emitted: BoxChange[][] = [];
    bus.on('boxes.changed', (e) => e.cause === 'stale' && emitted.push(e.changes));
    const clock = new HeldClock();
    clock.set(T);
    const reconcile = new ReconcileService(config, store, bus, clock);
    await reconcile.registerBoxes([{ ...ref, key, yskBoxId: null, neighbourhood: 1, kind: 'domestic' }]);
    const sheet = { registered: 300, voted: 200, validUncontested: 190, validAfterObjection: 0, valid: 190, invalid: 10, votes: { CHP: 100, 'AK PARTİ': 90 } };
    const version = { key, seq: 1, hash: 'h1', sheet, yskVersion: 7, yskChangedAt: null, changeReason: 3, fetchedAt: new Date(T).toISOString() };
    reconcile.applyYsk([{ kind: 'first', version }]);

    clock.advance(19 * MIN);
    expect(await reconcile.tick()).toEqual([]);
    clock.advance(2 * MIN);
    const changes = await reconcile.tick();
    expect(changes.map((c) => [c.key, c.after.stale])).toEqual([[key, true]]);
    expect(escalated).toEqual([{ key, reason: 'stale', at: new Date(T + 21 * MIN).toISOString() }]);
    expect(emitted).toEqual([changes]);
    // once stale, it is not escalated again
    clock.advance(10 * MIN);
    expect(await reconcile.tick()).toEqual([]);
    expect(escalated).toHaveLength(1);
  });
});

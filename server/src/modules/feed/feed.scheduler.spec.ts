import { districtJobId } from './feed.scheduler';

describe('district job ids', () => {
  it('are one per district and ballot type, a re-queue a second one, each as BullMQ accepts it (no ":" beyond three parts)', () => {
    const first = districtJobId(2, 641);
    const again = districtJobId(2, 641, true);
    expect(first).not.toBe(again);
    expect(districtJobId(3, 641)).not.toBe(first);
    // BullMQ (Job.validateOptions): "Custom Id cannot contain :" unless it splits into exactly 3 parts
    for (const id of [first, again]) expect(id.split(':')).toHaveLength(3);
  });
});

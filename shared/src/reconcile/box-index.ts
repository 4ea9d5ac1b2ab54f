/** Box numbers spanning more than this many slots per held box make a group a Map. */
const SPARSE = 4;

/**
 * Box-result indices of one (district, ballot type) by box number. Box numbers of a district
 * run in a short range (1001, 1002, …), so a group is a dense array over that range; a group
 * whose numbers scatter falls back to a Map. A rebuild in key order reads neighbouring slots.
 */
export class BoxGroup {
  private base = 0;
  /** index + 1 per box number from `base`, 0 when none */
  private slots = new Int32Array(0);
  private count = 0;
  private map: Map<number, number> | null = null;

  get(boxNo: number): number {
    if (this.map) return this.map.get(boxNo) ?? -1;
    const k = boxNo - this.base;
    return k >= 0 && k < this.slots.length ? this.slots[k]! - 1 : -1;
  }

  /** Holds `i` for `boxNo` (not held yet). */
  set(boxNo: number, i: number): void {
    this.count++;
    if (this.map) {
      this.map.set(boxNo, i);
      return;
    }
    if (this.count === 1) {
      this.base = boxNo;
      this.slots = new Int32Array(16);
    }
    let k = boxNo - this.base;
    if (k < 0 || k >= this.slots.length) {
      const low = Math.min(this.base, boxNo);
      const high = Math.max(this.base + this.slots.length, boxNo + 1);
      const span = high - low;
      if (span > SPARSE * this.count + 64) {
        this.toMap();
        this.map!.set(boxNo, i);
        return;
      }
      // room to grow on the side that grew
      const length = Math.min(span * 2, SPARSE * this.count + 64);
      const base = boxNo < this.base ? high - length : low;
      const slots = new Int32Array(length);
      slots.set(this.slots, this.base - base);
      this.base = base;
      this.slots = slots;
      k = boxNo - base;
    }
    this.slots[k] = i + 1;
  }

  private toMap(): void {
    const map = new Map<number, number>();
    for (let k = 0; k < this.slots.length; k++) if (this.slots[k] !== 0) map.set(this.base + k, this.slots[k]! - 1);
    this.map = map;
    this.slots = new Int32Array(0);
  }
}

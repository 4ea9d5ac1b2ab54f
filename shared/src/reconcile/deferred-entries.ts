/** int32 slots per entry: index, at, layout, observer, confirmation, (unused), createdAt as one float64 */
const RECORD = 8;

/**
 * Entries of a bulk load, kept as numbers until `end`: their sheets already sit in the figure
 * arena, and `byBox` hands them back grouped by box-result (in arrival order within one), so
 * applying them walks the columns in order instead of jumping around them in commit order.
 * One entry's numbers sit together in one 32-byte record: reading an entry in box order (a
 * jump through the commit order) touches one record, not one cell in each of six arrays.
 */
export class DeferredEntries {
  length = 0;
  private ints = new Int32Array(1024 * RECORD);
  private floats = new Float64Array(this.ints.buffer);

  push(index: number, at: number, layout: number, observer: number, createdAt: number, confirmation: boolean): void {
    if (this.length * RECORD === this.ints.length) this.grow(this.length * 2);
    const r = this.length++ * RECORD;
    const ints = this.ints;
    ints[r] = index;
    ints[r + 1] = at;
    ints[r + 2] = layout;
    ints[r + 3] = observer;
    ints[r + 4] = confirmation ? 1 : 0;
    this.floats[(r >> 1) + 3] = createdAt;
  }

  /** the box-result of entry `k` */
  index(k: number): number {
    return this.ints[k * RECORD]!;
  }

  /** where the sheet's cells of entry `k` sit in the arena */
  at(k: number): number {
    return this.ints[k * RECORD + 1]!;
  }

  /** the layout id of entry `k`'s sheet */
  layout(k: number): number {
    return this.ints[k * RECORD + 2]!;
  }

  observer(k: number): number {
    return this.ints[k * RECORD + 3]!;
  }

  confirmation(k: number): boolean {
    return this.ints[k * RECORD + 4] !== 0;
  }

  createdAt(k: number): number {
    return this.floats[((k * RECORD) >> 1) + 3]!;
  }

  /** Positions of the entries ordered by box-result index, arrival order kept within one (a counting sort). */
  byBox(boxResults: number): Int32Array {
    const ints = this.ints;
    const starts = new Int32Array(boxResults + 1);
    for (let k = 0; k < this.length; k++) starts[ints[k * RECORD]! + 1]!++;
    for (let i = 0; i < boxResults; i++) starts[i + 1]! += starts[i]!;
    const order = new Int32Array(this.length);
    for (let k = 0; k < this.length; k++) order[starts[ints[k * RECORD]!]!++] = k;
    return order;
  }

  private grow(n: number): void {
    const ints = new Int32Array(n * RECORD);
    ints.set(this.ints);
    this.ints = ints;
    this.floats = new Float64Array(ints.buffer);
  }
}

/**
 * Entries of a bulk load, kept as numbers until `end`: their sheets already sit in the figure
 * arena, and `byBox` hands them back grouped by box-result (in arrival order within one), so
 * applying them walks the columns in order instead of jumping around them in commit order.
 */
export class DeferredEntries {
  length = 0;
  index = new Int32Array(1024);
  /** the sheet's cells in the arena, and its layout */
  at = new Int32Array(1024);
  layout = new Int32Array(1024);
  observer = new Int32Array(1024);
  createdAt = new Float64Array(1024);
  confirmation = new Uint8Array(1024);

  push(index: number, at: number, layout: number, observer: number, createdAt: number, confirmation: boolean): void {
    if (this.length === this.index.length) this.grow(this.length * 2);
    const k = this.length++;
    this.index[k] = index;
    this.at[k] = at;
    this.layout[k] = layout;
    this.observer[k] = observer;
    this.createdAt[k] = createdAt;
    this.confirmation[k] = confirmation ? 1 : 0;
  }

  /** Positions of the entries ordered by box-result index, arrival order kept within one (a counting sort). */
  byBox(boxResults: number): Int32Array {
    const starts = new Int32Array(boxResults + 1);
    for (let k = 0; k < this.length; k++) starts[this.index[k]! + 1]!++;
    for (let i = 0; i < boxResults; i++) starts[i + 1]! += starts[i]!;
    const order = new Int32Array(this.length);
    for (let k = 0; k < this.length; k++) order[starts[this.index[k]!]!++] = k;
    return order;
  }

  private grow(n: number): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.index = grow(this.index);
    this.at = grow(this.at);
    this.layout = grow(this.layout);
    this.observer = grow(this.observer);
    this.createdAt = grow(this.createdAt);
    this.confirmation = grow(this.confirmation);
  }
}

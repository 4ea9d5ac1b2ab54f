/** A binary min-heap of (due time, box-result index): the ysk_only boxes waiting to turn stale. */
export class DueQueue {
  private due = new Float64Array(1024);
  private index = new Int32Array(1024);
  private length = 0;

  get size(): number {
    return this.length;
  }

  push(due: number, index: number): void {
    if (this.length === this.due.length) {
      const due2 = new Float64Array(this.length * 2);
      due2.set(this.due);
      const index2 = new Int32Array(this.length * 2);
      index2.set(this.index);
      this.due = due2;
      this.index = index2;
    }
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[parent]! <= due) break;
      this.due[i] = this.due[parent]!;
      this.index[i] = this.index[parent]!;
      i = parent;
    }
    this.due[i] = due;
    this.index[i] = index;
  }

  peekDue(): number {
    return this.length ? this.due[0]! : Infinity;
  }

  /** Removes and returns the index with the earliest due time (-1 when empty). */
  pop(): number {
    if (!this.length) return -1;
    const top = this.index[0]!;
    const n = --this.length;
    const due = this.due[n]!;
    const index = this.index[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.due[child + 1]! < this.due[child]!) child++;
      if (this.due[child]! >= due) break;
      this.due[i] = this.due[child]!;
      this.index[i] = this.index[child]!;
      i = child;
    }
    this.due[i] = due;
    this.index[i] = index;
    return top;
  }
}

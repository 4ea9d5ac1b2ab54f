import { SHEET_FIGURES, type Sheet } from '../domain/sheet';

const HEADER = SHEET_FIGURES.length;
/** Marks a figure that does not fit 0…0xFFFE; its value sits in the overflow map. */
const OVERFLOW = 0xffff;
/** The arena grows by chunks of 2^18 cells (512 KB): never copied, never more than a chunk unused. */
const CHUNK_BITS = 18;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** The party/candidate names of one sheet's votes, in the key order they came in. */
export interface Layout {
  id: number;
  ballotSlot: number;
  names: readonly string[];
  /** party index in the ballot slot's dictionary, per position of `names` */
  parties: Int32Array;
  /** header figures + votes */
  size: number;
  /** 1 + the highest party index of `parties` */
  partySpan: number;
}

/**
 * Compact storage of sheets: a party-name → index dictionary per ballot slot, interned
 * vote layouts (boxes of one district share a ballot, so a handful of layouts covers a
 * country), and every sheet's figures as 16-bit cells in one arena. Figures that do not
 * fit a cell (none on a real box: median ~306 registered) go to an overflow map, exactly.
 * A sheet's cells never straddle two chunks of the arena.
 */
export class FigureStore {
  private readonly dictionaries: Map<string, number>[] = [];
  private readonly partyNames: string[][] = [];
  private readonly layouts: Layout[] = [];
  private readonly layoutIndex = new Map<string, Layout>();
  private readonly lastLayout: (Layout | undefined)[] = [];
  private readonly chunks: Uint16Array[] = [];
  private used = 0;
  private readonly overflow = new Map<number, number>();
  /** one sheet's figures between `stage` and `commit` */
  private staged = new Float64Array(64);
  private scratch = new Float64Array(64);

  get bytes(): number {
    return this.chunks.length * CHUNK * 2;
  }

  partyCount(ballotSlot: number): number {
    return this.partyNames[ballotSlot]?.length ?? 0;
  }

  partyName(ballotSlot: number, party: number): string {
    return this.partyNames[ballotSlot]![party]!;
  }

  layout(id: number): Layout {
    return this.layouts[id]!;
  }

  private partyIndex(ballotSlot: number, name: string): number {
    let dictionary = this.dictionaries[ballotSlot];
    if (!dictionary) {
      dictionary = this.dictionaries[ballotSlot] = new Map();
      this.partyNames[ballotSlot] = [];
    }
    let index = dictionary.get(name);
    if (index === undefined) {
      index = this.partyNames[ballotSlot]!.push(name) - 1;
      dictionary.set(name, index);
    }
    return index;
  }

  /** The layout of `votes` (key order kept); the ballot's last layout is tried first. */
  layoutOf(ballotSlot: number, votes: Readonly<Record<string, number>>): Layout {
    const last = this.lastLayout[ballotSlot];
    if (last) {
      const names = last.names;
      let k = 0;
      let same = true;
      for (const name in votes) {
        if (names[k] !== name) {
          same = false;
          break;
        }
        k++;
      }
      if (same && k === names.length) return last;
    }
    const names = Object.keys(votes);
    const key = `${ballotSlot}\u0001${names.join('\u0000')}`;
    let layout = this.layoutIndex.get(key);
    if (!layout) {
      const parties = Int32Array.from(names, (name) => this.partyIndex(ballotSlot, name));
      const partySpan = parties.reduce((span, p) => Math.max(span, p + 1), 0);
      layout = { id: this.layouts.length, ballotSlot, names, parties, size: HEADER + names.length, partySpan };
      this.layouts.push(layout);
      this.layoutIndex.set(key, layout);
    }
    this.lastLayout[ballotSlot] = layout;
    return layout;
  }

  alloc(size: number): number {
    if (size > CHUNK) throw new RangeError(`a sheet of ${size} figures does not fit the arena`);
    let offset = this.used;
    if ((offset & MASK) + size > CHUNK) offset = Math.ceil(offset / CHUNK) * CHUNK;
    while (this.chunks.length * CHUNK < offset + size) this.chunks.push(new Uint16Array(CHUNK));
    this.used = offset + size;
    return offset;
  }

  get(pos: number): number {
    const cell = this.chunks[pos >>> CHUNK_BITS]![pos & MASK]!;
    return cell === OVERFLOW ? this.overflow.get(pos)! : cell;
  }

  private setOverflow(pos: number, value: number): void {
    this.chunks[pos >>> CHUNK_BITS]![pos & MASK] = OVERFLOW;
    this.overflow.set(pos, value);
  }

  /** Adds `sign` × the votes of the sheet at `offset` to `sums`, by party index. */
  addVotes(sums: Float64Array, offset: number, layout: Layout, sign: number): void {
    const cells = this.chunks[offset >>> CHUNK_BITS]!;
    const at = (offset & MASK) + HEADER;
    const parties = layout.parties;
    for (let k = 0; k < parties.length; k++) {
      const cell = cells[at + k]!;
      sums[parties[k]!]! += sign * (cell === OVERFLOW ? this.overflow.get(offset + HEADER + k)! : cell);
    }
  }

  /**
   * Two sheets of one layout at `a` and `b` in one walk: adds the votes of `a` to `sumsA` and
   * those of `b` to `sumsB` by party index (sign +1), and returns Σ|a − b| over every figure
   * (what `absDifference` returns for them).
   */
  addPair(a: number, b: number, layout: Layout, sumsA: Float64Array, sumsB: Float64Array): number {
    const ca = this.chunks[a >>> CHUNK_BITS]!;
    const cb = this.chunks[b >>> CHUNK_BITS]!;
    const ia = a & MASK;
    const ib = b & MASK;
    let total = 0;
    for (let k = 0; k < HEADER; k++) {
      let x = ca[ia + k]!;
      let y = cb[ib + k]!;
      if (x === y && x !== OVERFLOW) continue;
      if (x === OVERFLOW) x = this.overflow.get(a + k)!;
      if (y === OVERFLOW) y = this.overflow.get(b + k)!;
      total += Math.abs(x - y);
    }
    const parties = layout.parties;
    const n = parties.length;
    const va = ia + HEADER;
    const vb = ib + HEADER;
    for (let k = 0; k < n; k++) {
      let x = ca[va + k]!;
      let y = cb[vb + k]!;
      if (x === OVERFLOW) x = this.overflow.get(a + HEADER + k)!;
      if (y === OVERFLOW) y = this.overflow.get(b + HEADER + k)!;
      const p = parties[k]!;
      sumsA[p]! += x;
      sumsB[p]! += y;
      if (x !== y) total += Math.abs(x - y);
    }
    return total;
  }

  /** Σ|a − b| over the header figures and the parties of two sheets (a party absent on one side counts 0 there). */
  absDifference(a: number, aLayout: Layout, b: number, bLayout: Layout): number {
    let total = 0;
    if (aLayout === bLayout) {
      const ca = this.chunks[a >>> CHUNK_BITS]!;
      const cb = this.chunks[b >>> CHUNK_BITS]!;
      const ia = a & MASK;
      const ib = b & MASK;
      for (let k = 0; k < aLayout.size; k++) {
        const x = ca[ia + k]!;
        const y = cb[ib + k]!;
        if (x === y && x !== OVERFLOW) continue;
        total += Math.abs((x === OVERFLOW ? this.overflow.get(a + k)! : x) - (y === OVERFLOW ? this.overflow.get(b + k)! : y));
      }
      return total;
    }
    for (let f = 0; f < HEADER; f++) total += Math.abs(this.get(a + f) - this.get(b + f));
    const span = Math.max(aLayout.partySpan, bLayout.partySpan);
    if (this.scratch.length < span) this.scratch = new Float64Array(Math.max(span, this.scratch.length * 2));
    const s = this.scratch;
    for (let k = 0; k < aLayout.parties.length; k++) s[aLayout.parties[k]!]! += this.get(a + HEADER + k);
    for (let k = 0; k < bLayout.parties.length; k++) s[bLayout.parties[k]!]! -= this.get(b + HEADER + k);
    for (const p of aLayout.parties) {
      total += Math.abs(s[p]!);
      s[p] = 0;
    }
    for (const p of bLayout.parties) {
      total += Math.abs(s[p]!);
      s[p] = 0;
    }
    return total;
  }

  /**
   * Reads `sheet` into the staging buffer (header figures, then votes in layout order) and
   * returns its layout. The ballot's last layout is matched in the same pass that reads the
   * votes, so a sheet in the common layout costs one walk over its keys.
   */
  stage(ballotSlot: number, sheet: Sheet): Layout {
    const buffer = this.staged;
    buffer[0] = sheet.registered;
    buffer[1] = sheet.voted;
    buffer[2] = sheet.validUncontested;
    buffer[3] = sheet.validAfterObjection;
    buffer[4] = sheet.valid;
    buffer[5] = sheet.invalid;
    const votes = sheet.votes;
    const last = this.lastLayout[ballotSlot];
    if (last && last.size <= buffer.length) {
      const names = last.names;
      const n = names.length;
      let k = 0;
      for (const name in votes) {
        if (k === n || names[k] !== name) {
          k = -1;
          break;
        }
        buffer[HEADER + k++] = votes[name]!;
      }
      if (k === n) return last;
    }
    const layout = this.layoutOf(ballotSlot, votes);
    if (layout.size > this.staged.length) {
      const grown = new Float64Array(Math.max(layout.size, this.staged.length * 2));
      grown.set(this.staged.subarray(0, HEADER));
      this.staged = grown;
    }
    const names = layout.names;
    for (let k = 0; k < names.length; k++) this.staged[HEADER + k] = votes[names[k]!]!;
    return layout;
  }

  /** The layout of the sheet `storeFresh` stored last. */
  freshLayout: Layout | null = null;

  /**
   * `stage`, `alloc` and `commitFresh` in one: stores `sheet` in fresh cells and returns their
   * offset, its layout going to `freshLayout`. In the ballot's last layout the figures go from
   * the sheet straight into the cells; a sheet of another layout gives the cells back and takes
   * the staged way.
   */
  storeFresh(ballotSlot: number, sheet: Sheet): number {
    const last = this.lastLayout[ballotSlot];
    if (last) {
      const used = this.used;
      const offset = this.alloc(last.size);
      const cells = this.chunks[offset >>> CHUNK_BITS]!;
      const at = offset & MASK;
      this.putFresh(cells, at, offset, +sheet.registered);
      this.putFresh(cells, at + 1, offset + 1, +sheet.voted);
      this.putFresh(cells, at + 2, offset + 2, +sheet.validUncontested);
      this.putFresh(cells, at + 3, offset + 3, +sheet.validAfterObjection);
      this.putFresh(cells, at + 4, offset + 4, +sheet.valid);
      this.putFresh(cells, at + 5, offset + 5, +sheet.invalid);
      const votes = sheet.votes;
      const names = last.names;
      const n = names.length;
      let k = 0;
      for (const name in votes) {
        if (k === n || names[k] !== name) {
          k = -1;
          break;
        }
        this.putFresh(cells, at + HEADER + k, offset + HEADER + k, +votes[name]!);
        k++;
      }
      if (k === n) {
        this.freshLayout = last;
        return offset;
      }
      for (let c = 0; c < last.size; c++) if (cells[at + c] === OVERFLOW) this.overflow.delete(offset + c);
      this.used = used;
    }
    const layout = this.stage(ballotSlot, sheet);
    const offset = this.alloc(layout.size);
    this.commitFresh(offset, layout.size);
    this.freshLayout = layout;
    return offset;
  }

  private putFresh(cells: Uint16Array, at: number, pos: number, value: number): void {
    if ((value & 0xffff) === value && value !== OVERFLOW) cells[at] = value;
    else this.setOverflow(pos, value);
  }

  /** Whether the `size` figures at `a` and at `b` are equal. */
  same(a: number, b: number, size: number): boolean {
    for (let k = 0; k < size; k++) if (this.get(a + k) !== this.get(b + k)) return false;
    return true;
  }

  /** Writes the staged sheet (of `size` cells) into cells just allocated at `offset`. */
  commitFresh(offset: number, size: number): void {
    const buffer = this.staged;
    const cells = this.chunks[offset >>> CHUNK_BITS]!;
    const at = offset & MASK;
    for (let k = 0; k < size; k++) {
      const value = buffer[k]!;
      if ((value & 0xffff) === value && value !== OVERFLOW) cells[at + k] = value;
      else this.setOverflow(offset + k, value);
    }
  }

  /** Writes the staged sheet (of `size` cells) at `offset`; true when any cell changed. */
  commit(offset: number, size: number): boolean {
    const buffer = this.staged;
    const cells = this.chunks[offset >>> CHUNK_BITS]!;
    const at = offset & MASK;
    let changed = false;
    for (let k = 0; k < size; k++) {
      const value = buffer[k]!;
      const old = cells[at + k]!;
      if (old === OVERFLOW) {
        const held = this.overflow.get(offset + k)!;
        if (held === value) continue;
        this.overflow.delete(offset + k);
      } else if (old === value) continue;
      changed = true;
      if ((value & 0xffff) === value && value !== OVERFLOW) cells[at + k] = value;
      else this.setOverflow(offset + k, value);
    }
    return changed;
  }

  /**
   * `commit`, also writing new − old of every cell to `delta` (of at least `size` cells): what
   * the sheet's share of a sum moves by. True when any cell changed.
   */
  commitDelta(offset: number, size: number, delta: Float64Array): boolean {
    const buffer = this.staged;
    const cells = this.chunks[offset >>> CHUNK_BITS]!;
    const at = offset & MASK;
    let changed = false;
    for (let k = 0; k < size; k++) {
      const value = buffer[k]!;
      const cell = cells[at + k]!;
      let old: number = cell;
      if (cell === OVERFLOW) {
        old = this.overflow.get(offset + k)!;
        if (old === value) {
          delta[k] = 0;
          continue;
        }
        this.overflow.delete(offset + k);
      } else if (cell === value) {
        delta[k] = 0;
        continue;
      }
      delta[k] = value - old;
      changed = true;
      if ((value & 0xffff) === value && value !== OVERFLOW) cells[at + k] = value;
      else this.setOverflow(offset + k, value);
    }
    return changed;
  }

  /** Sizes a `commitDelta` buffer to hold `size` cells. */
  deltaBuffer(buffer: Float64Array, size: number): Float64Array {
    return buffer.length >= size ? buffer : new Float64Array(Math.max(size, 2 * buffer.length));
  }

  read(offset: number, layout: Layout): Sheet {
    const votes: Record<string, number> = {};
    const names = layout.names;
    for (let k = 0; k < names.length; k++) votes[names[k]!] = this.get(offset + HEADER + k);
    return {
      registered: this.get(offset),
      voted: this.get(offset + 1),
      validUncontested: this.get(offset + 2),
      validAfterObjection: this.get(offset + 3),
      valid: this.get(offset + 4),
      invalid: this.get(offset + 5),
      votes,
    };
  }
}

export const HEADER_FIGURES = HEADER;

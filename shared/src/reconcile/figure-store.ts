import { SHEET_FIGURES, type Sheet } from '../domain/sheet';

const HEADER = SHEET_FIGURES.length;
/** Marks a figure that does not fit 0…0xFFFE; its value sits in the overflow map. */
const OVERFLOW = 0xffff;

/** The party/candidate names of one sheet's votes, in the key order they came in. */
export interface Layout {
  id: number;
  ballotSlot: number;
  names: readonly string[];
  /** party index in the ballot slot's dictionary, per position of `names` */
  parties: Int32Array;
  /** header figures + votes */
  size: number;
}

/**
 * Compact storage of sheets: a party-name → index dictionary per ballot slot, interned
 * vote layouts (boxes of one district share a ballot, so a handful of layouts covers a
 * country), and every sheet's figures as 16-bit cells in one arena. Figures that do not
 * fit a cell (none on a real box: median ~306 registered) go to an overflow map, exactly.
 */
export class FigureStore {
  private readonly dictionaries: Map<string, number>[] = [];
  private readonly partyNames: string[][] = [];
  private readonly layouts: Layout[] = [];
  private readonly layoutIndex = new Map<string, Layout>();
  private readonly lastLayout: (Layout | undefined)[] = [];
  private cells: Uint16Array;
  private used = 0;
  private readonly overflow = new Map<number, number>();

  constructor(initialCells = 1 << 16) {
    this.cells = new Uint16Array(Math.max(64, initialCells));
  }

  get bytes(): number {
    return this.cells.byteLength;
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
      layout = { id: this.layouts.length, ballotSlot, names, parties, size: HEADER + names.length };
      this.layouts.push(layout);
      this.layoutIndex.set(key, layout);
    }
    this.lastLayout[ballotSlot] = layout;
    return layout;
  }

  alloc(size: number): number {
    if (this.used + size > this.cells.length) {
      let length = this.cells.length * 2;
      while (this.used + size > length) length *= 2;
      const grown = new Uint16Array(length);
      grown.set(this.cells);
      this.cells = grown;
    }
    const offset = this.used;
    this.used += size;
    return offset;
  }

  get(pos: number): number {
    const cell = this.cells[pos]!;
    return cell === OVERFLOW ? this.overflow.get(pos)! : cell;
  }

  private set(pos: number, value: number): boolean {
    const old = this.get(pos);
    if ((value & 0xffff) === value && value !== OVERFLOW) {
      if (this.cells[pos] === OVERFLOW) this.overflow.delete(pos);
      this.cells[pos] = value;
    } else {
      this.cells[pos] = OVERFLOW;
      this.overflow.set(pos, value);
    }
    return old !== value;
  }

  /** Writes a sheet at `offset` in `layout` order; true when any cell changed. */
  write(offset: number, layout: Layout, sheet: Sheet): boolean {
    let changed = false;
    for (let f = 0; f < HEADER; f++) changed = this.set(offset + f, sheet[SHEET_FIGURES[f]!]) || changed;
    const names = layout.names;
    for (let k = 0; k < names.length; k++) changed = this.set(offset + HEADER + k, sheet.votes[names[k]!]!) || changed;
    return changed;
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

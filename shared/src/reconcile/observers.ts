import { sortedVoteNames } from '../domain/hash';
import { SHEET_FIGURES, type Sheet } from '../domain/sheet';

/** Strings as one text and their lengths (a snapshot's header reads one long string far faster than many). */
interface PackedStrings {
  text: string;
  lengths: Int32Array;
}

function packStrings(strings: readonly string[]): PackedStrings {
  return { text: strings.join(''), lengths: Int32Array.from(strings, (s) => s.length) };
}

function unpackStrings({ text, lengths }: PackedStrings): string[] {
  const out = new Array<string>(lengths.length);
  let at = 0;
  for (let k = 0; k < lengths.length; k++) out[k] = text.slice(at, (at += lengths[k]!));
  if (at !== text.length) throw new Error('the packed strings do not fit together');
  return out;
}

/**
 * The observers and the latest entries of the box-results several observers entered, as flat
 * arrays (a state image's `observerEntries`, IMAGE_FORMAT 3): as Maps, a national night's
 * ~370,000 observers and ~320,000 such box-results were 80 MB of a snapshot's header and most of
 * a restart's restore.
 */
export interface PackedObservers {
  /** the observers' ids, in the order of the numbers they were given */
  observers: PackedStrings;
  /** the box-results, each with how many observers' latest entries follow in the arrays below */
  boxes: Int32Array;
  counts: Int32Array;
  observer: Int32Array;
  at: Float64Array;
  seq: Float64Array;
  contents: PackedStrings;
}

interface ObserverLatest {
  /** the sheet as `contentOf` writes it: equal exactly when the sheets are (as `canonicalSheet`) */
  content: string;
  at: number;
  /** arrival order: breaks ties of `at` (the later arrival wins) */
  seq: number;
}

/** The latest entry of the agreed group: whose, when, and its content. */
export interface Agreed {
  content: string;
  at: number;
  seq: number;
  observer: number;
}

/** What the observers' latest entries of one box-result say after `record`. */
export interface Verdict {
  /** the recorded entry's content */
  content: string;
  /** the latest-agreed group of at least `confirmations` observers, null when none */
  agreed: Agreed | null;
  /** the latest entries of two or more observers disagree */
  conflicting: boolean;
}

/**
 * Observers by id, and the latest entry of each observer of every box-result that two or more
 * observers entered (a box-result with one observer so far has it in its org cells only).
 */
export class ObserverEntries {
  /** the fields an image of the state leaves out (see `ReconciliationState.image`); `observers` and `multi` go packed (`pack`) */
  static readonly NOT_IMAGED: ReadonlySet<string> = new Set<string>(['observers', 'multi']);

  /** entries applied so far (the arrival order of `ObserverLatest.seq`) */
  private arrivals = 0;
  private readonly observers = new Map<string, number>();
  /** per-observer latest entries (and the sheet of each), only for boxes that two or more observers entered */
  private readonly multi = new Map<number, Map<number, ObserverLatest>>();
  /**
   * The sorted vote-name lists of `ObserverLatest.content`, interned: a content names its list by
   * id and holds only figures (a national night holds ~640,000 of them; with the names each was
   * ~500 bytes, most of the state's heap and of its snapshot)
   */
  private readonly nameListIds = new Map<string, number>();
  private readonly nameLists: string[][] = [];

  /** The id of an observer, given on first sight. */
  intern(name: string): number {
    let id = this.observers.get(name);
    if (id === undefined) {
      id = this.observers.size;
      this.observers.set(name, id);
    }
    return id;
  }

  /** The arrival number of the next entry. */
  nextSeq(): number {
    return this.arrivals++;
  }

  /** Whether box-result `i` has two or more observers. */
  has(i: number): boolean {
    return this.multi.has(i);
  }

  /** Box-result `i` gets a second observer: `first`'s latest entry (`sheet`, at `at`) is the one the org cells hold. */
  open(i: number, first: number, sheet: Sheet, at: number): void {
    this.multi.set(i, new Map([[first, { content: this.contentOf(sheet), at, seq: -1 }]]));
  }

  /** Whether `observer` holds a later entry of box-result `i` than one created at `at`. */
  superseded(i: number, observer: number, at: number): boolean {
    const held = this.multi.get(i)?.get(observer);
    return held !== undefined && at < held.at;
  }

  /**
   * Records `observer`'s latest entry of box-result `i` (which has two or more observers) and
   * groups the observers' latest entries by content: the latest-agreed group of at least
   * `confirmations` observers is the one in force.
   */
  record(i: number, observer: number, sheet: Sheet, at: number, seq: number, confirmations: number): Verdict {
    const multi = this.multi.get(i)!;
    const content = this.contentOf(sheet);
    multi.set(observer, { content, at, seq });
    const groups = new Map<string, { count: number; at: number; seq: number; observer: number }>();
    for (const [who, o] of multi) {
      const g = groups.get(o.content);
      if (!g) groups.set(o.content, { count: 1, at: o.at, seq: o.seq, observer: who });
      else {
        g.count++;
        if (o.at > g.at || (o.at === g.at && o.seq > g.seq)) Object.assign(g, { at: o.at, seq: o.seq, observer: who });
      }
    }
    let agreed: Agreed | null = null;
    for (const [c, g] of groups) {
      if (g.count >= confirmations && (!agreed || g.at > agreed.at || (g.at === agreed.at && g.seq > agreed.seq))) agreed = { content: c, ...g };
    }
    return { content, agreed, conflicting: groups.size > 1 };
  }

  /** Forgets the observers' entries of box-result `i` (a confirmation settles it). */
  drop(i: number): void {
    this.multi.delete(i);
  }

  /** The observers and their latest entries as flat arrays, for a state image (see `PackedObservers`). */
  pack(): PackedObservers {
    let entries = 0;
    for (const held of this.multi.values()) entries += held.size;
    const boxes = new Int32Array(this.multi.size);
    const counts = new Int32Array(this.multi.size);
    const observer = new Int32Array(entries);
    const at = new Float64Array(entries);
    const seq = new Float64Array(entries);
    const contents: string[] = [];
    let b = 0;
    let e = 0;
    for (const [i, held] of this.multi) {
      boxes[b] = i;
      counts[b++] = held.size;
      for (const [who, latest] of held) {
        observer[e] = who;
        at[e] = latest.at;
        seq[e++] = latest.seq;
        contents.push(latest.content);
      }
    }
    // the ids in the order of their numbers (0, 1, …: intern gives them in order, and none goes)
    const names: string[] = [];
    for (const [name, id] of this.observers) {
      if (id !== names.length) throw new Error(`observer ${name} has number ${id}, not ${names.length}`);
      names.push(name);
    }
    return { observers: packStrings(names), boxes, counts, observer, at, seq, contents: packStrings(contents) };
  }

  /** Takes the observers and their latest entries back from `pack`. */
  unpack(packed: PackedObservers): void {
    const { boxes, counts, observer, at, seq } = packed;
    const names = unpackStrings(packed.observers);
    const contents = unpackStrings(packed.contents);
    if (counts.length !== boxes.length || observer.length !== contents.length || at.length !== contents.length || seq.length !== contents.length)
      throw new Error('the packed observers do not fit together');
    this.observers.clear();
    names.forEach((name, id) => this.observers.set(name, id));
    this.multi.clear();
    let e = 0;
    for (let b = 0; b < boxes.length; b++) {
      const held = new Map<number, ObserverLatest>();
      for (const end = e + counts[b]!; e < end; e++) held.set(observer[e]!, { content: contents[e]!, at: at[e]!, seq: seq[e]! });
      this.multi.set(boxes[b]!, held);
    }
    if (e !== contents.length) throw new Error('the packed observers do not fit together');
  }

  /** A sheet as a short string: the id of its sorted vote names, then the header figures and the votes in that order. */
  private contentOf(sheet: Sheet): string {
    const names = sortedVoteNames(sheet.votes);
    const key = JSON.stringify(names);
    let id = this.nameListIds.get(key);
    if (id === undefined) {
      id = this.nameLists.push(names) - 1;
      this.nameListIds.set(key, id);
    }
    let content = String(id);
    for (const figure of SHEET_FIGURES) content += `,${sheet[figure]}`;
    for (const name of names) content += `,${sheet.votes[name]}`;
    return content;
  }

  /** A sheet back from `contentOf`. */
  sheetOfContent(content: string): Sheet {
    const [id, registered, voted, validUncontested, validAfterObjection, valid, invalid, ...votes] = content.split(',').map(Number) as number[];
    const names = this.nameLists[id!]!;
    const sheet: Sheet = {
      registered: registered!,
      voted: voted!,
      validUncontested: validUncontested!,
      validAfterObjection: validAfterObjection!,
      valid: valid!,
      invalid: invalid!,
      votes: {},
    };
    names.forEach((name, k) => (sheet.votes[name] = votes[k]!));
    return sheet;
  }
}

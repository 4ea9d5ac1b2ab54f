import { sortedVoteNames } from '../domain/hash';
import { SHEET_FIGURES, type Sheet } from '../domain/sheet';

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
  /** the fields an image of the state leaves out (see `ReconciliationState.image`) */
  static readonly NOT_IMAGED: ReadonlySet<string> = new Set<string>();

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

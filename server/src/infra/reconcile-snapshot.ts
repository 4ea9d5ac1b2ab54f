import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { ReconciliationState, type ReconciliationStateOptions, type StateImage } from '@gozcu/shared';

/**
 * The reconciliation's snapshot file (issue 16: a restart restores the typed arrays instead of
 * re-reading and re-reconciling every row). Layout: MAGIC, the header's length (u32 LE), the
 * header (node:v8 serialize of { v8, meta, image, sections }), then each large typed array's
 * bytes at an 8-byte boundary. The header's image holds `{ $section: n }` where those arrays
 * were; reading restores them as views of one buffer holding the sections, without a copy.
 */
const MAGIC = Buffer.from('GOZCU-RECONCILE-SNAPSHOT-1\n');
/** typed arrays of at least this many bytes go to binary sections */
const SECTION_MIN_BYTES = 64 * 1024;

const ARRAYS = { Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array };
type ArrayType = keyof typeof ARRAYS;
type TypedArray = InstanceType<(typeof ARRAYS)[ArrayType]>;

interface Header<M> {
  /** the V8 that wrote it: another one's serialisation is not trusted */
  v8: string;
  meta: M;
  image: StateImage;
  sections: { type: ArrayType; length: number }[];
}

const align8 = (n: number) => (n + 7) & ~7;

/** Writes `state` with `meta` to `file` (through a temporary file and a rename: a crash leaves the old one). Returns its size. */
export function writeSnapshot(file: string, meta: unknown, state: ReconciliationState): number {
  const sections: TypedArray[] = [];
  const image = state.image({
    replace: (array) => (array.byteLength >= SECTION_MIN_BYTES ? { $section: sections.push(array as TypedArray) - 1 } : undefined),
  });
  const header: Header<unknown> = {
    v8: process.versions.v8,
    meta,
    image,
    sections: sections.map((a) => ({ type: a.constructor.name as ArrayType, length: a.length })),
  };
  const body = serialize(header);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  // one temporary file per process: two nodes on one DATA_DIR never write into the same one
  const tmp = `${file}.${process.pid}.tmp`;
  // observers' ids and every box's figures: owner only, as the store
  const fd = openSync(tmp, 'w', 0o600);
  let at = 0;
  const write = (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done);
    at += bytes.byteLength;
  };
  try {
    write(MAGIC);
    write(length);
    write(body);
    for (const a of sections) {
      write(Buffer.alloc(align8(at) - at));
      write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return at;
}

/**
 * A state back from `writeSnapshot`'s file, and the meta written with it; null when there is no
 * such file. Throws on a file that is not a snapshot, of another V8, or whose state does not fit
 * `options` (see `ReconciliationState.fromImage`).
 */
export function readSnapshot<M>(file: string, options: ReconciliationStateOptions): { meta: M; state: ReconciliationState } | null {
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = readAt(fd, Buffer.alloc(MAGIC.length + 4), 0, size);
    if (!start.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a reconciliation snapshot');
    const headerLength = start.readUInt32LE(MAGIC.length);
    // the header in a buffer of its own (freed once deserialised), the sections in one the state keeps
    const header = deserialize(readAt(fd, Buffer.allocUnsafe(headerLength), start.length, size)) as Header<M>;
    if (header.v8 !== process.versions.v8) throw new Error(`the snapshot was written by V8 ${header.v8}, this is ${process.versions.v8}`);
    const first = align8(start.length + headerLength);
    const body = readAt(fd, Buffer.allocUnsafeSlow(Math.max(0, size - first)), first, size);
    let at = 0;
    const views = header.sections.map(({ type, length }) => {
      const View = ARRAYS[type];
      if (!View) throw new Error(`the snapshot holds a section of type ${String(type)}`);
      at = align8(at);
      const bytes = length * View.BYTES_PER_ELEMENT;
      if (at + bytes > body.length) throw new Error('the snapshot is cut short');
      const view = new View(body.buffer as ArrayBuffer, body.byteOffset + at, length);
      at += bytes;
      return view;
    });
    const state = ReconciliationState.fromImage(options, header.image, {
      revive: (plain) => {
        if (typeof plain.$section !== 'number') return undefined;
        const view = views[plain.$section];
        if (!view) throw new Error(`the snapshot has no section ${plain.$section}`);
        return view;
      },
    });
    return { meta: header.meta, state };
  } finally {
    closeSync(fd);
  }
}

/** Fills `into` from the file at `position`; throws when the file ends first. */
function readAt(fd: number, into: Buffer, position: number, size: number): Buffer {
  if (position + into.length > size) throw new Error('the snapshot is cut short');
  for (let done = 0; done < into.length;) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error('the snapshot is cut short');
    done += n;
  }
  return into;
}

/** Removes the snapshot file (the next start rebuilds from the store). */
export function removeSnapshot(file: string): void {
  rmSync(file, { force: true });
}

/**
 * Object graphs as plain data, and back: what the structured-clone algorithm (node:v8's
 * serialize, postMessage) carries — numbers, strings, typed arrays, arrays, plain objects and
 * Maps — with each instance of a registered class as `{ $class: name, fields }`. It is how the
 * reconciliation state becomes a snapshot file (issue 16: a restart restores the typed arrays
 * instead of re-reading every row). Anything else (a function, an instance of a class not
 * registered) is refused, so a field added to a state class cannot silently go missing.
 *
 * Encoding copies only what has to change: a subtree without class instances (or typed arrays
 * `replace` swaps) is handed over as it is, so a Map of plain records costs no allocation.
 */

const CLASS = '$class';

type Ctor = { readonly prototype: object; readonly name: string };

export interface ImageHooks {
  /** on encode: a typed array's stand-in (e.g. a reference to a binary section), or undefined to keep it */
  replace?: (array: ArrayBufferView) => unknown;
  /** on decode: the value a plain object stands for (e.g. a binary section), or undefined when it is data */
  revive?: (plain: Record<string, unknown>) => unknown;
}

export class ImageCodec {
  private readonly byPrototype = new Map<object, string>();

  constructor(private readonly classes: Readonly<Record<string, Ctor>>) {
    for (const [name, ctor] of Object.entries(classes)) this.byPrototype.set(ctor.prototype, name);
  }

  /** The fields of `object` as plain data, less those named in `skip`. */
  encodeFields(object: object, hooks: ImageHooks = {}, skip: ReadonlySet<string> = new Set()): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) {
      if (skip.has(key)) continue;
      out[key] = this.encode(value, hooks, key);
    }
    return out;
  }

  encode(value: unknown, hooks: ImageHooks = {}, path = '$'): unknown {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new TypeError(`cannot image ${path}: a ${typeof value}`);
    if (value === null || typeof value !== 'object') return value;
    if (ArrayBuffer.isView(value)) return hooks.replace?.(value) ?? value;
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let k = 0; k < value.length; k++) {
        const v: unknown = value[k];
        const e = this.encode(v, hooks, path);
        if (e !== v) (copy ??= value.slice())[k] = e;
      }
      return copy ?? value;
    }
    if (value instanceof Map) {
      let copy: Map<unknown, unknown> | null = null;
      for (const [k, v] of value as Map<unknown, unknown>) {
        const e = this.encode(v, hooks, path);
        if (e !== v) (copy ??= new Map(value as Map<unknown, unknown>)).set(k, e);
      }
      return copy ?? value;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      let copy: Record<string, unknown> | null = null;
      for (const [k, v] of Object.entries(value)) {
        const e = this.encode(v, hooks, `${path}.${k}`);
        if (e !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = e;
      }
      return copy ?? value;
    }
    const name = this.byPrototype.get(prototype as object);
    if (name === undefined)
      throw new TypeError(`cannot image ${path}: an instance of ${(prototype as { constructor?: Ctor }).constructor?.name ?? 'a class'} is not registered`);
    return { [CLASS]: name, fields: this.encodeFields(value, hooks) };
  }

  /** Back from `encode`, in place where the data allows (decode a tree only once). */
  decode(value: unknown, hooks: ImageHooks = {}): unknown {
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
    if (Array.isArray(value)) {
      for (let k = 0; k < value.length; k++) if (k in value) value[k] = this.decode(value[k], hooks);
      return value;
    }
    if (value instanceof Map) {
      for (const [k, v] of value as Map<unknown, unknown>) {
        const d = this.decode(v, hooks);
        if (d !== v) value.set(k, d);
      }
      return value;
    }
    const plain = value as Record<string, unknown>;
    const revived = hooks.revive?.(plain);
    if (revived !== undefined) return revived;
    const name = plain[CLASS];
    if (typeof name === 'string') {
      const ctor = this.classes[name];
      if (!ctor) throw new TypeError(`the image holds an instance of ${name}, which is not registered`);
      return this.decodeFields(Object.create(ctor.prototype) as object, plain.fields as Record<string, unknown>, hooks);
    }
    for (const k of Object.keys(plain)) plain[k] = this.decode(plain[k], hooks);
    return plain;
  }

  /** Sets the decoded `fields` on `target`; returns it. */
  decodeFields<T extends object>(target: T, fields: Record<string, unknown>, hooks: ImageHooks = {}): T {
    for (const k of Object.keys(fields)) (target as Record<string, unknown>)[k] = this.decode(fields[k], hooks);
    return target;
  }
}

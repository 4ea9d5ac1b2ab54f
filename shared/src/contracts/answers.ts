import { z } from 'zod';

/**
 * What response schemas share. A response schema never transforms (no coerce, default or
 * transform): the dashboard's parse returns exactly what the server sent.
 */

/** Compile-time two-way check that a hand-written type and a schema's type are the same. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;

/** A date-time as JSON carries it: an ISO 8601 string. */
export const isoDateTime = z.iso.datetime({ offset: true });

/** A Turkish and English label. */
export const bilingualLabel = z.object({ tr: z.string(), en: z.string() });

/** The rows an import turned down, with why. */
export const rejectedRows = z.array(z.object({ row: z.number().int(), issue: z.string() }));

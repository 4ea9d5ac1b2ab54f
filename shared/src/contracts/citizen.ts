import { z } from 'zod';
import { sheetSchema } from '../domain/sheet';
import { bilingualLabel, isoDateTime, rejectedRows } from './answers';
import { ballotCodeValue } from '../domain/ballot';

/** Request schemas of /api/citizen: the server's ZodPipes validate with them, the OpenAPI document describes them. */

export const boxQuery = z.object({
  province: z.coerce.number().int().min(1, 'province is a plate code 1–81').max(81, 'province is a plate code 1–81'),
  district: z.coerce.number().int().positive('district is a positive YSK district id'),
  box: z.coerce.number().int().positive('box is a positive box number'),
});
export type BoxQuery = z.infer<typeof boxQuery>;

/** The number travels in the body (never in a URL, which access logs keep). */
export const tcBody = z.object({ tc: z.string({ message: 'tc is the 11-digit TC Kimlik No, as a string' }).max(32, 'a TC Kimlik No has 11 digits') });
export type TcBody = z.infer<typeof tcBody>;

/* Response schemas. */

/** One ballot type of a box as a citizen sees it (`GET /api/citizen/boxes`, `POST /api/citizen/lookup`). */
export const citizenBallotViewSchema = z.object({
  ballot: ballotCodeValue,
  ballotName: bilingualLabel,
  /** YSK's figures: null while the embargo holds or before YSK publishes */
  ysk: sheetSchema.nullable(),
  /** when YSK's figures last changed (null: not published, or embargoed) */
  yskChangedAt: isoDateTime.nullable(),
  /** the observers' figures, only where HQ policy publishes them (CITIZEN_SHOW_ORG_FIGURES) */
  org: sheetSchema.nullable(),
  orgEnteredAt: isoDateTime.nullable(),
  /** YSK changed the box after first publishing it (only once YSK's figures are shown) */
  altered: z.boolean().nullable(),
});

/** `GET /api/citizen/boxes` and `POST /api/citizen/lookup` */
export const citizenBoxViewSchema = z.object({
  province: z.number().int(),
  provinceName: z.string().nullable(),
  district: z.number().int(),
  districtName: z.string().nullable(),
  boxNo: z.number().int(),
  ballots: z.array(citizenBallotViewSchema),
  embargo: z.object({ active: z.boolean(), until: isoDateTime.nullable() }),
  /** when this answer was computed (answers are cached for a few seconds) */
  asOf: isoDateTime,
});

/** `POST /api/citizen/voters/import` (HQ): CSV `tc,province,district,box`; numbers are kept only as keyed hashes. */
export const voterImportReportSchema = z.object({ rows: z.number().int(), stored: z.number().int(), rejected: rejectedRows });

import { z } from 'zod';

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

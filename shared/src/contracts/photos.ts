import { z } from 'zod';
import { attachmentViewSchema } from './complaints';

/** Request schemas of /api/boxes/:key/sheet-photos and /api/attachments: the server's ZodPipes validate with them, the OpenAPI document describes them. */

/** POST /api/boxes/:key/sheet-photos: the form's fields beside the `photo` file */
export const sheetPhotoUploadBody = z.object({ entryId: z.string().trim().min(1).max(64).optional() });

/** GET /api/attachments/:id */
export const attachmentQuery = z.object({ original: z.enum(['0', '1', 'true', 'false']).optional() });

/** A result-sheet photo: the attachment and the entry and box it belongs to. */
export const sheetPhotoViewSchema = attachmentViewSchema.extend({ entryId: z.string(), key: z.string() });
export type SheetPhotoView = z.infer<typeof sheetPhotoViewSchema>;

/** `GET /api/boxes/:key/sheet-photos`: oldest first */
export const sheetPhotosResponse = z.object({ items: z.array(sheetPhotoViewSchema) });

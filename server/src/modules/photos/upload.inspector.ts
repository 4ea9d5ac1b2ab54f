import { PayloadTooLargeException, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** What an uploaded file turned out to be, by its bytes, and the version that may be shown. */
export interface InspectedUpload {
  kind: 'image' | 'pdf';
  contentType: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  /** re-encoded without metadata (EXIF, GPS, XMP, ICC comments); for a PDF the bytes as uploaded */
  shown: Buffer;
  shownContentType: string;
}

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
  /** PDF allowed (complaint evidence) or images only (sheet photos) */
  allowPdf: boolean;
}

type Sniffed = { kind: 'image'; format: 'jpeg' | 'png' | 'webp' } | { kind: 'pdf' } | { kind: 'other'; what: string };

/** Recognises a file by its first bytes; the name and the claimed content type are never trusted. */
export function sniff(buf: Buffer): Sniffed {
  const starts = (...bytes: number[]) => bytes.every((b, i) => buf[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return { kind: 'image', format: 'jpeg' };
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { kind: 'image', format: 'png' };
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (buf.toString('latin1', 0, 5) === '%PDF-') return { kind: 'pdf' };
  if (starts(0x4d, 0x5a)) return { kind: 'other', what: 'a Windows executable' };
  if (starts(0x7f, 0x45, 0x4c, 0x46)) return { kind: 'other', what: 'an ELF executable' };
  if (starts(0x50, 0x4b, 0x03, 0x04)) return { kind: 'other', what: 'a ZIP archive' };
  if (buf.toString('latin1', 0, 2) === '#!') return { kind: 'other', what: 'a script' };
  return { kind: 'other', what: 'an unknown type' };
}

const IMAGE_TYPES = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/**
 * Checks an upload by content: size, type (JPEG, PNG, WebP, and PDF where allowed) and, for
 * images, the pixel count read from the header before anything is decoded (a decompression
 * bomb is refused). Images are re-encoded, which drops every metadata block (location included)
 * and applies the EXIF orientation.
 */
export async function inspectUpload(buf: Buffer, name: string, limits: UploadLimits): Promise<InspectedUpload> {
  const label = JSON.stringify(name.slice(0, 100));
  if (buf.length > limits.maxBytes) throw new PayloadTooLargeException(`file ${label} is ${buf.length} bytes; at most ${limits.maxBytes} are accepted`);
  if (buf.length === 0) throw new UnprocessableEntityException(`file ${label} is empty`);
  const found = sniff(buf);
  const allowed = limits.allowPdf ? 'a JPEG, PNG or WebP photo, or a PDF' : 'a JPEG, PNG or WebP photo';
  if (found.kind === 'other') throw new UnsupportedMediaTypeException(`file ${label} is ${found.what}, not ${allowed} (checked by content, not by name)`);
  const sha256 = createHash('sha256').update(buf).digest('hex');
  if (found.kind === 'pdf') {
    if (!limits.allowPdf) throw new UnsupportedMediaTypeException(`file ${label} is a PDF; ${allowed} is needed here`);
    if (
      !buf
        .subarray(Math.max(0, buf.length - 1024))
        .toString('latin1')
        .includes('%%EOF')
    )
      throw new UnprocessableEntityException(`file ${label} is not a complete PDF`);
    return {
      kind: 'pdf',
      contentType: 'application/pdf',
      bytes: buf.length,
      sha256,
      width: null,
      height: null,
      shown: buf,
      shownContentType: 'application/pdf',
    };
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch {
    throw new UnprocessableEntityException(`file ${label} looks like a ${found.format.toUpperCase()} image but cannot be read`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const pixels = width * height * (meta.pages ?? 1);
  if (meta.format !== found.format || !width || !height)
    throw new UnprocessableEntityException(`file ${label} is not a readable ${found.format.toUpperCase()} image`);
  if (pixels > limits.maxPixels) {
    throw new UnprocessableEntityException(
      `file ${label} is ${width}×${height} pixels (${pixels}); images above ${limits.maxPixels} pixels are refused (a possible decompression bomb)`,
    );
  }
  try {
    const out = await sharp(buf, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 })
      .rotate()
      .toFormat(found.format, found.format === 'png' ? {} : { quality: 90 })
      .toBuffer({ resolveWithObject: true });
    return {
      kind: 'image',
      contentType: IMAGE_TYPES[found.format],
      bytes: buf.length,
      sha256,
      width,
      height,
      shown: out.data,
      shownContentType: IMAGE_TYPES[found.format],
    };
  } catch (e) {
    throw new UnprocessableEntityException(`file ${label} cannot be decoded as a ${found.format.toUpperCase()} image: ${(e as Error).message}`);
  }
}

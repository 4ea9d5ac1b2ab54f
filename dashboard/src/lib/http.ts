import type { ZodType } from 'zod';

/**
 * What every dashboard request shares, below the session (so `auth.ts` can use it too): the
 * error type, a response body read as JSON (else its text), and the server's message.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** The body: parsed JSON, else the text as it came; null when empty. */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** The `message` of an API error body (a list joined with '; '), or '' when there is none. */
export function serverMessage(body: unknown): string {
  if (!body || typeof body !== 'object' || !('message' in body)) return '';
  const m = (body as { message: unknown }).message;
  return Array.isArray(m) ? m.map(String).join('; ') : String(m ?? '');
}

/** An error status as an ApiError: the server's message, else `HTTP <status>`. */
export function errorOf(res: Response, body: unknown): ApiError {
  return new ApiError(res.status, serverMessage(body) || `HTTP ${res.status}`, body);
}

/**
 * A body read with its route's response schema (from shared/, the one the server is checked
 * against and the OpenAPI document shows): the typed value, or an ApiError naming the fields that
 * are not what the contract says (an older server, a proxy's page): never a half-read object.
 */
export function parseAnswer<T>(schema: ZodType<T>, body: unknown, path: string, status: number): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
  throw new ApiError(status, `Sunucunun yanıtı beklenen biçimde değil / unexpected answer from ${path} (${fields})`, body);
}

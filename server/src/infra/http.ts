import { ArgumentsHost, BadRequestException, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter, type PipeTransform } from '@nestjs/common';
import type { Response } from 'express';
import type { ZodType } from 'zod';
import type { ApiError } from '@gozcu/shared';

/** Turns zod issues into `{ "path.to.field": "what is wrong" }`. */
export function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of error.issues) {
    const path = i.path.map(String).join('.') || '(body)';
    out[path] = out[path] ? `${out[path]}; ${i.message}` : i.message;
  }
  return out;
}

export class ValidationFailed extends BadRequestException {
  constructor(
    message: string,
    readonly issues: Record<string, string>,
  ) {
    super({ message, issues, code: 'validation', params: { fields: Object.keys(issues).join(', ') } });
  }
}

/** Parameters of an error code: what the dashboard fills into its wording. */
export type ErrorParams = Record<string, string | number>;

/** An HTTP error with a stable code and parameters (the dashboard words it; `message` is the English text). */
export class CodedError extends HttpException {
  constructor(status: number, code: string, message: string, params: ErrorParams = {}) {
    super({ message, code, params }, status);
  }
}

/** The code of an error that names none: by its status. */
export function defaultErrorCode(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_type';
    case 422:
      return 'unprocessable';
    case 423:
      return 'locked';
    case 429:
      return 'too_many_requests';
    default:
      return status >= 500 ? 'internal' : 'error';
  }
}

/** Validates a body or query with a zod schema; a bad one is a 400 naming every bad field. */
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    /** public: the OpenAPI document describes a route with the very schema that validates it */
    readonly schema: ZodType<T>,
    readonly what = 'request',
  ) {}

  transform(value: unknown): T {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      throw new ValidationFailed(`invalid ${this.what}: ${Object.keys(issues).join(', ')}`, issues);
    }
    return parsed.data;
  }
}

/** Every error leaves as `ApiError` JSON: `{ statusCode, error, message, issues? }`. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    // the store refusing a write (busy, read-only, full, unreachable) is a 503 to retry, not a 500
    const unavailable = !(exception instanceof HttpException) ? storeUnavailable(exception) : null;
    if (unavailable) {
      this.logger.warn(`store unavailable: ${unavailable.cause}`);
      res.setHeader('Retry-After', String(STORE_RETRY_AFTER_S));
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        statusCode: 503,
        error: 'service unavailable',
        message: `the store cannot take changes now (${unavailable.cause}); try again shortly`,
        code: 'store_unavailable',
        params: { cause: unavailable.cause },
      } satisfies ApiError);
      return;
    }
    // body-parser's errors (too large, malformed JSON, bad charset) carry their own 4xx status
    const parser = !(exception instanceof HttpException) ? clientErrorOf(exception) : null;
    const status = exception instanceof HttpException ? exception.getStatus() : (parser?.status ?? HttpStatus.INTERNAL_SERVER_ERROR);
    const raw = exception instanceof HttpException ? exception.getResponse() : parser ? parser.message : null;
    const body: ApiError = {
      statusCode: status,
      error: HttpStatus[status]?.toLowerCase().replace(/_/g, ' ') ?? 'error',
      message:
        typeof raw === 'string'
          ? raw
          : raw && typeof raw === 'object' && 'message' in raw
            ? String(Array.isArray(raw.message) ? raw.message.join('; ') : raw.message)
            : status >= 500
              ? 'internal error'
              : String((exception as Error)?.message ?? 'error'),
    };
    if (raw && typeof raw === 'object' && 'issues' in raw) body.issues = raw.issues as Record<string, string>;
    // every error carries a code (and its parameters): the thrower's, else one by status
    const coded =
      raw && typeof raw === 'object' && typeof (raw as { code?: unknown }).code === 'string' ? (raw as { code: string; params?: ErrorParams }) : null;
    body.code = coded?.code ?? defaultErrorCode(status);
    body.params = coded?.params && typeof coded.params === 'object' ? coded.params : {};
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (raw && typeof raw === 'object' && 'retryAfterS' in raw) res.setHeader('Retry-After', String(raw.retryAfterS));
    res.status(status).json(body);
  }
}

/** How long a client waits before retrying a change the store refused. */
const STORE_RETRY_AFTER_S = 5;

/** SQLite result codes (and extended codes beginning with them) that mean the store cannot write now, not that the request is wrong. */
const SQLITE_UNAVAILABLE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL'];
/** MongoDB driver errors of a store out of reach. */
const MONGO_UNAVAILABLE = ['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoTopologyClosedError'];

/** The cause when the error is the store being busy, read-only, full or unreachable; null otherwise. */
export function storeUnavailable(e: unknown): { cause: string } | null {
  if (!e || typeof e !== 'object') return null;
  const err = e as { name?: unknown; code?: unknown; message?: unknown };
  if (err.name === 'SqliteError' && typeof err.code === 'string' && SQLITE_UNAVAILABLE.some((c) => err.code === c || (err.code as string).startsWith(`${c}_`)))
    return { cause: err.code };
  if (typeof err.name === 'string' && MONGO_UNAVAILABLE.includes(err.name)) return { cause: err.name };
  if (err instanceof Error && /sqlite store is closed|mongo store is not connected/.test(err.message)) return { cause: err.message };
  return null;
}

/** A client error raised outside Nest (body-parser, http-errors): its 4xx status and a message; null otherwise. */
function clientErrorOf(e: unknown): { status: number; message: string } | null {
  if (!e || typeof e !== 'object') return null;
  const err = e as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown; message?: unknown; limit?: unknown };
  const status = Number(err.status ?? err.statusCode);
  if (!Number.isInteger(status) || status < 400 || status > 499) return null;
  if (err.type === 'entity.too.large')
    return { status: 413, message: `the request body is larger than ${typeof err.limit === 'number' ? `${err.limit} bytes` : 'allowed'}` };
  if (err.type === 'entity.parse.failed') return { status: 400, message: 'the request body is not valid JSON' };
  return { status, message: err.expose !== false && typeof err.message === 'string' ? err.message : 'bad request' };
}

import { ParseIntPipe, RequestMethod, SetMetadata, type PipeTransform, type Type } from '@nestjs/common';
import { GUARDS_METADATA, HEADERS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z, type ZodType } from 'zod';
import { apiErrorSchema } from '@gozcu/shared';
import { ZodPipe } from './http';

/**
 * The OpenAPI 3.1 document of the REST API, read from what Nest routes by: each controller's
 * paths and methods, and the very `ZodPipe` instances that validate each route's body, query
 * and path parameters (their schemas go through `z.toJSONSchema`). A route cannot validate with
 * one schema and be documented with another. What the metadata cannot tell (a CSV or streamed
 * body, the file fields of a multipart form) a route says with `@ApiBody`.
 */

/** The server package's version (src/infra and dist/infra both sit two folders below it). */
export const API_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

export const API_BODY_KEY = 'gozcu:api-body';

/** A request body no zod schema validates (CSV, a stream), or the file fields of a multipart form. */
export interface ApiBodyDoc {
  /** media types the route reads (`text/csv`, `application/x-ndjson`, `multipart/form-data`) */
  types: string[];
  description?: string;
  /** multipart file fields, with how many files each takes */
  files?: Record<string, number>;
}

/** Documents a body the route reads without a zod schema, or the files of a multipart form. */
export const ApiBody = (doc: ApiBodyDoc) => SetMetadata(API_BODY_KEY, doc);

export const API_RESPONSE_KEY = 'gozcu:api-response';

/**
 * The zod schema of a route's JSON answer. The OpenAPI document describes the answer with it, the
 * `ResponseContractInterceptor` checks every answer against it (strictly under test) and the
 * dashboard's client parses the answer with the same schema: one contract, three readers.
 */
export const ApiResponse = (schema: ZodType) => SetMetadata(API_RESPONSE_KEY, schema);

export const API_PRODUCES_KEY = 'gozcu:api-produces';

/** The media types of an answer that is not JSON and that no fixed `@Header('Content-Type')` names (a file sent as a `StreamableFile`). */
export const ApiProduces = (...types: string[]) => SetMetadata(API_PRODUCES_KEY, types);

/** The response schema a handler declares, if any. */
export function responseSchemaOf(handler: object): ZodType | undefined {
  return Reflect.getMetadata(API_RESPONSE_KEY, handler) as ZodType | undefined;
}

/** How a route's access is decided, as the auth guard decides it. */
export interface RouteAccess {
  /** anyone may call it, without a token (for this deployment's configuration) */
  public: boolean;
  /** permissions the caller's role must hold */
  permissions: string[];
}

type JsonSchema = Record<string, unknown>;
type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: (PipeTransform | Type<PipeTransform>)[];
}

/** One route as Nest registers it, with what documents it. */
export interface RouteInfo {
  method: HttpMethod;
  /** OpenAPI form: `/api/boxes/{key}` */
  path: string;
  tag: string;
  operationId: string;
  handler: string;
}

const METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.HEAD]: 'head',
  [RequestMethod.OPTIONS]: 'options',
};

/** `/api/boxes/:key` → `/api/boxes/{key}` (Express path parameters as OpenAPI writes them). */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Joins a controller's and a handler's path as Nest does: one leading slash, no trailing one. */
export function joinRoutePath(controllerPath: string, handlerPath: string): string {
  const parts = [controllerPath, handlerPath].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  return `/${parts.join('/')}`;
}

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return [typeof v === 'string' ? v : '/'];
}

/** The handler method names of a controller class (its own and inherited), as Nest scans them. */
function methodNames(controller: Type): string[] {
  const names = new Set<string>();
  for (let proto = controller.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (d && typeof d.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** The zod schema a parameter's pipes validate with, if one of them is a `ZodPipe`. */
function zodOf(arg: RouteArg): ZodType | undefined {
  const pipe = arg.pipes?.find((p): p is ZodPipe<unknown> => p instanceof ZodPipe);
  return pipe?.schema as ZodType | undefined;
}

function parsesInt(arg: RouteArg): boolean {
  return !!arg.pipes?.some((p) => p === ParseIntPipe || p instanceof ParseIntPipe);
}

const schemaCache = { input: new WeakMap<ZodType, JsonSchema>(), output: new WeakMap<ZodType, JsonSchema>() };

/**
 * The JSON Schema (2020-12, as OpenAPI 3.1 takes it) of a zod schema: of what a client sends
 * (`input`, a request) or of what the server answers (`output`, a response).
 */
export function jsonSchemaOf(schema: ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const cached = schemaCache[io].get(schema);
  if (cached) return cached;
  const { $schema: _dialect, ...out } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  void _dialect;
  // inlined into the document, a local `$ref` would point at the document's root: say so at once
  if (JSON.stringify(out).includes('"$ref"'))
    throw new Error(`openapi: a ${io === 'input' ? 'request' : 'response'} schema has a $ref (a recursive or registered zod schema); give it a component`);
  schemaCache[io].set(schema, out);
  return out;
}

function tagOf(controller: Type): string {
  return controller.name.replace(/Controller$/, '') || controller.name;
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };

/** Reads every route of the given controllers and builds the OpenAPI document. */
export function buildOpenApi(
  controllers: Type[],
  access: (controller: Type, handler: string) => RouteAccess,
  info: { title: string; version: string },
): { document: JsonSchema; routes: RouteInfo[] } {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const routes: RouteInfo[] = [];
  const tags = new Set<string>();

  for (const controller of controllers) {
    const tag = tagOf(controller);
    const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of methodNames(controller)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const handlerPathMeta: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (handlerPathMeta === undefined) continue;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      const method = METHODS[requestMethod];
      if (!method) throw new Error(`openapi: ${controller.name}.${name} uses ${RequestMethod[requestMethod]}, which OpenAPI has no operation for`);
      const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, RouteArg>).map(([key, arg]) => ({
        type: Number(key.split(':')[0]),
        ...arg,
      }));
      const operationId = `${tag}_${name}`;
      const operation = describeOperation(controller, name, handler, method, args, access(controller, name), tag, operationId);
      tags.add(tag);
      for (const cp of controllerPaths) {
        for (const hp of asList(handlerPathMeta)) {
          const path = openApiPath(joinRoutePath(cp, hp));
          const item = (paths[path] ??= {});
          if (item[method])
            throw new Error(`openapi: ${method.toUpperCase()} ${path} is routed twice (${String(item[method].operationId)} and ${operationId})`);
          item[method] = operation;
          routes.push({ method, path, tag, operationId, handler: `${controller.name}.${name}` });
        }
      }
    }
  }

  const document: JsonSchema = {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: 'Gözcü REST API. Her hata `ApiError` JSON olarak döner. / Every error is answered as `ApiError` JSON.',
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /api/auth/login → accessToken' } },
      schemas: { ApiError: jsonSchemaOf(apiErrorSchema) },
      responses: {
        BadRequest: errorResponse('Geçersiz istek: `issues` her hatalı alanı adlandırır / Invalid request: `issues` names every bad field'),
        Unauthorized: errorResponse('Oturum yok ya da süresi dolmuş / Not signed in, or the token expired'),
        Forbidden: errorResponse('Rolün izni ya da kapsamı yetmiyor / The role lacks the permission or the scope'),
        TooManyRequests: errorResponse('Çok fazla istek: Retry-After kadar bekleyin / Too many requests: wait Retry-After'),
      },
    },
  };
  return { document, routes };
}

function errorResponse(description: string): JsonSchema {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } };
}

function describeOperation(
  controller: Type,
  name: string,
  handler: object,
  method: HttpMethod,
  args: (RouteArg & { type: number })[],
  access: RouteAccess,
  tag: string,
  operationId: string,
): JsonSchema {
  const parameters: JsonSchema[] = [];
  let validates = false;

  for (const arg of args.filter((a) => a.type === RouteParamtypes.PARAM)) {
    const schema = zodOf(arg);
    if (schema || parsesInt(arg)) validates = true;
    if (typeof arg.data !== 'string') continue;
    parameters.push({
      name: arg.data,
      in: 'path',
      required: true,
      schema: schema ? jsonSchemaOf(schema) : parsesInt(arg) ? { type: 'integer' } : { type: 'string' },
    });
  }

  for (const arg of args.filter((a) => a.type === RouteParamtypes.QUERY)) {
    const schema = zodOf(arg);
    if (schema || parsesInt(arg)) validates = true;
    if (typeof arg.data === 'string') {
      parameters.push({ name: arg.data, in: 'query', required: false, schema: schema ? jsonSchemaOf(schema) : parsesInt(arg) ? { type: 'integer' } : {} });
    } else if (schema) {
      const json = jsonSchemaOf(schema);
      const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      for (const [prop, propSchema] of Object.entries(properties)) {
        parameters.push({
          name: prop,
          in: 'query',
          required: required.has(prop),
          schema: propSchema,
          ...(propSchema.type === 'array' ? { style: 'form', explode: true } : {}),
        });
      }
    }
  }

  // every `:param` of the path is a parameter, validated or not
  for (const path of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
    for (const [, param] of path.matchAll(/:([A-Za-z0-9_]+)/g)) {
      if (!parameters.some((p) => p.in === 'path' && p.name === param))
        parameters.push({ name: param, in: 'path', required: true, schema: { type: 'string' } });
    }
  }

  const requestBody = describeBody(controller, name, handler, args);
  if (requestBody) validates = true;

  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
  const status = declared ?? (method === 'post' ? 201 : 200);
  const headers = (Reflect.getMetadata(HEADERS_METADATA, handler) ?? []) as { name: string; value: string }[];
  const fixedType = headers.find((h) => h.name.toLowerCase() === 'content-type')?.value.split(';')[0];
  const produces = (Reflect.getMetadata(API_PRODUCES_KEY, handler) as string[] | undefined) ?? (fixedType ? [fixedType] : []);
  const contentType = produces.find((t) => t !== 'application/json');
  const answer = responseSchemaOf(handler);
  if (answer && (status === 204 || contentType))
    throw new Error(`openapi: ${controller.name}.${name} declares a JSON response schema but answers ${status === 204 ? '204' : contentType}`);
  const responses: Record<string, JsonSchema> = {
    [String(status)]: {
      description: STATUS_TEXT[status] ?? 'OK',
      ...(answer
        ? { content: { 'application/json': { schema: jsonSchemaOf(answer, 'output') } } }
        : status === 204
          ? {}
          : produces.length
            ? { content: Object.fromEntries(produces.map((t) => [t, {}])) }
            : {}),
    },
  };
  if (validates) responses['400'] = { $ref: '#/components/responses/BadRequest' };
  if (!access.public) {
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    responses['403'] = { $ref: '#/components/responses/Forbidden' };
  }
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[]),
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[]),
  ];
  if (guards.some((g) => /RateLimit|Throttl/.test((g as { name?: string }).name ?? (g as object).constructor.name)))
    responses['429'] = { $ref: '#/components/responses/TooManyRequests' };

  return {
    operationId,
    tags: [tag],
    summary: `${controller.name}.${name}`,
    security: access.public ? [] : [{ bearer: [] }],
    // a public route is let through before any permission is asked for
    ...(!access.public && access.permissions.length ? { 'x-permissions': access.permissions } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function describeBody(controller: Type, name: string, handler: object, args: (RouteArg & { type: number })[]): JsonSchema | undefined {
  const doc = Reflect.getMetadata(API_BODY_KEY, handler) as ApiBodyDoc | undefined;
  const bodyArgs = args.filter((a) => a.type === RouteParamtypes.BODY);
  const schemas = bodyArgs.map(zodOf).filter((s): s is ZodType => !!s);
  const hasFiles = args.some((a) => a.type === RouteParamtypes.FILE || a.type === RouteParamtypes.FILES);
  const reads = bodyArgs.length > 0 || hasFiles || args.some((a) => a.type === RouteParamtypes.REQUEST && method(handler) !== 'get');
  if (!reads && !doc) return undefined;
  if (!schemas.length && !doc) throw new Error(`openapi: ${controller.name}.${name} reads a body no ZodPipe validates; say what it takes with @ApiBody`);
  if (hasFiles && !doc?.files) throw new Error(`openapi: ${controller.name}.${name} takes files; name their fields with @ApiBody({ files })`);
  const json: JsonSchema = schemas.length ? jsonSchemaOf(schemas[0]) : {};
  const content: Record<string, JsonSchema> = {};
  for (const type of doc?.types ?? ['application/json']) {
    if (type === 'multipart/form-data') {
      const files = Object.fromEntries(
        Object.entries(doc?.files ?? {}).map(([field, max]) => [
          field,
          max > 1
            ? { type: 'array', maxItems: max, items: { type: 'string', contentMediaType: 'application/octet-stream' } }
            : { type: 'string', contentMediaType: 'application/octet-stream' },
        ]),
      );
      content[type] = { schema: { ...json, type: 'object', properties: { ...((json.properties ?? {}) as JsonSchema), ...files } } };
    } else {
      content[type] = type === 'application/json' ? { schema: json } : {};
    }
  }
  // a body is required unless the schema takes none (every field optional and no body is fine)
  const required = schemas.length ? !schemas[0].safeParse(undefined).success : true;
  return { required, ...(doc?.description ? { description: doc.description } : {}), content };
}

function method(handler: object): HttpMethod | undefined {
  return METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
}

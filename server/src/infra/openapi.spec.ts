import 'reflect-metadata';
import { All, Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, type Type } from '@nestjs/common';
import { z } from 'zod';
import { ZodPipe } from './http';
import { ApiBody, buildOpenApi, joinRoutePath, openApiPath, type RouteAccess } from './openapi';

const itemBody = z.object({ name: z.string().min(1).max(20), count: z.number().int().min(0).optional() });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).optional(), tag: z.string() });

@Controller('api/items')
class ItemsController {
  @Get()
  list(@Query(new ZodPipe(listQuery, 'query')) q: unknown) {
    return q;
  }

  @Post()
  create(@Body(new ZodPipe(itemBody, 'item')) body: unknown) {
    return body;
  }

  @Post(':id/import')
  @HttpCode(200)
  @ApiBody({ types: ['text/csv'], description: 'name,count' })
  importCsv(@Param('id', ParseIntPipe) id: number, @Body() body: unknown) {
    return { id, body };
  }
}

/** Parsed document parts read freely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const open = (): RouteAccess => ({ public: true, permissions: [] });
const build = (controllers: Type[], access: () => RouteAccess = open) => buildOpenApi(controllers, access, { title: 't', version: '0' });

describe('buildOpenApi', () => {
  it('documents a route with the schema its ZodPipe validates with', () => {
    const { document, routes } = build([ItemsController], () => ({ public: false, permissions: ['items:write'] }));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['get /api/items', 'post /api/items', 'post /api/items/{id}/import']);
    const paths = document.paths as Record<string, Record<string, Json>>;
    const create = paths['/api/items'].post;
    expect(create.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: expect.objectContaining({ type: 'object', required: ['name'] }) } },
    });
    expect(create.requestBody.content['application/json'].schema.properties.name).toEqual({ type: 'string', minLength: 1, maxLength: 20 });
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '403']);
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create['x-permissions']).toEqual(['items:write']);

    const list = paths['/api/items'].get;
    expect(list.parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100 }) },
      { name: 'tag', in: 'query', required: true, schema: { type: 'string' } },
    ]);

    const csv = paths['/api/items/{id}/import'].post;
    expect(csv.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }]);
    expect(csv.requestBody).toEqual({ required: true, description: 'name,count', content: { 'text/csv': {} } });
    expect(Object.keys(csv.responses)).toContain('200');
  });

  it('gives a public route no security and no 401/403', () => {
    const op = (build([ItemsController]).document.paths as Record<string, Record<string, Json>>)['/api/items'].post;
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses).sort()).toEqual(['201', '400']);
  });

  it('refuses a body that neither a ZodPipe nor @ApiBody describes', () => {
    @Controller('api/raw')
    class RawController {
      @Post()
      take(@Body() body: unknown) {
        return body;
      }
    }
    expect(() => build([RawController])).toThrow('RawController.take reads a body no ZodPipe validates');
  });

  it('refuses a route on every method, and one path routed twice', () => {
    @Controller('api/any')
    class AnyController {
      @All()
      any() {
        return null;
      }
    }
    expect(() => build([AnyController])).toThrow('AnyController.any uses ALL');
    @Controller('api/items')
    class TwiceController {
      @Get()
      again() {
        return null;
      }
    }
    expect(() => build([ItemsController, TwiceController])).toThrow('GET /api/items is routed twice');
  });

  it('joins and converts paths as Nest and OpenAPI write them', () => {
    expect(joinRoutePath('/', 'healthz')).toBe('/healthz');
    expect(joinRoutePath('api/items/', '/')).toBe('/api/items');
    expect(openApiPath('/api/boxes/:key/sheet-photos')).toBe('/api/boxes/{key}/sheet-photos');
  });
});

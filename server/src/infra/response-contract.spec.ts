import 'reflect-metadata';
import { Controller, Get, InternalServerErrorException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import { z } from 'zod';
import { ApiResponse, buildOpenApi } from './openapi';
import { ResponseContractInterceptor, responseCheckOf } from './response-contract';

const itemAnswer = z.object({ items: z.array(z.object({ id: z.number().int(), name: z.string() })) });

@Controller('api/items')
class ItemsController {
  @Get()
  @ApiResponse(itemAnswer)
  list() {
    return null;
  }

  @Get('free')
  free() {
    return null;
  }
}

function contextOf(handler: keyof ItemsController, headersSent = false): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => ({ headersSent }) }),
    getClass: () => ItemsController,
    getHandler: () => ItemsController.prototype[handler],
  } as unknown as ExecutionContext;
}

const answering = (body: unknown): CallHandler => ({ handle: () => of(body) });

describe('response contracts: @ApiResponse, checked and documented (issue 14)', () => {
  it('passes an answer that matches its schema through unchanged (the same object)', async () => {
    const body = { items: [{ id: 1, name: 'Kars' }] };
    const out = await lastValueFrom(new ResponseContractInterceptor('strict').intercept(contextOf('list'), answering(body)));
    expect(out).toBe(body);
  });

  it('strict: refuses an answer that breaks its schema with a 500 naming the route and the field', async () => {
    const bad = { items: [{ id: '1', name: 'Kars' }] };
    const run = lastValueFrom(new ResponseContractInterceptor('strict').intercept(contextOf('list'), answering(bad)));
    await expect(run).rejects.toBeInstanceOf(InternalServerErrorException);
    await expect(lastValueFrom(new ResponseContractInterceptor('strict').intercept(contextOf('list'), answering(bad)))).rejects.toMatchObject({
      response: { code: 'response_contract', issues: { 'items.0.id': expect.any(String) }, message: expect.stringContaining('ItemsController.list') },
    });
  });

  it('log and off: the answer goes out as it is; a route without a schema is not checked', async () => {
    const bad = { items: 'none' };
    await expect(lastValueFrom(new ResponseContractInterceptor('log').intercept(contextOf('list'), answering(bad)))).resolves.toBe(bad);
    await expect(lastValueFrom(new ResponseContractInterceptor('off').intercept(contextOf('list'), answering(bad)))).resolves.toBe(bad);
    await expect(lastValueFrom(new ResponseContractInterceptor('strict').intercept(contextOf('free'), answering(bad)))).resolves.toBe(bad);
  });

  it('passes over a handler that answered through `res` itself (a CSV), not over a missing answer', async () => {
    await expect(lastValueFrom(new ResponseContractInterceptor('strict').intercept(contextOf('list', true), answering(undefined)))).resolves.toBeUndefined();
    await expect(lastValueFrom(new ResponseContractInterceptor('strict').intercept(contextOf('list', false), answering(undefined)))).rejects.toBeInstanceOf(
      InternalServerErrorException,
    );
  });

  it('is strict under test unless API_RESPONSE_CHECK says otherwise, and off in production', () => {
    expect(responseCheckOf({ NODE_ENV: 'test', API_RESPONSE_CHECK: undefined })).toBe('strict');
    expect(responseCheckOf({ NODE_ENV: 'production', API_RESPONSE_CHECK: undefined })).toBe('off');
    expect(responseCheckOf({ NODE_ENV: 'production', API_RESPONSE_CHECK: 'log' })).toBe('log');
  });

  it('documents the answer with the output JSON Schema of the same zod schema', () => {
    const { document } = buildOpenApi([ItemsController], () => ({ public: true, permissions: [] }), { title: 't', version: '1' });
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
    expect(paths['/api/items'].get.responses['200'].content?.['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: { required: ['id', 'name'] } } },
    });
    expect(paths['/api/items/free'].get.responses['200'].content).toBeUndefined();
  });
});

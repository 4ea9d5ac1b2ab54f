import { InternalServerErrorException, Logger, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import type { AppConfig } from './config';
import { issuesOf } from './http';
import { responseSchemaOf } from './openapi';

export type ResponseCheck = 'off' | 'log' | 'strict';

/** `API_RESPONSE_CHECK`, or when unset: strict under test (every test checks the contract), off otherwise. */
export function responseCheckOf(config: Pick<AppConfig, 'API_RESPONSE_CHECK' | 'NODE_ENV'>): ResponseCheck {
  return config.API_RESPONSE_CHECK ?? (config.NODE_ENV === 'test' ? 'strict' : 'off');
}

/**
 * Checks each JSON answer against the zod schema its route declares with `@ApiResponse`, the one the
 * OpenAPI document shows and the dashboard parses with. The answer goes out as the handler made it
 * (the check transforms nothing); a mismatch is logged, and in `strict` mode answered with a 500 that
 * names the route and every field at fault, so a test cannot pass over a broken contract.
 */
export class ResponseContractInterceptor implements NestInterceptor {
  private readonly log = new Logger('ResponseContract');

  constructor(private readonly mode: ResponseCheck) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const schema = this.mode === 'off' || ctx.getType() !== 'http' ? undefined : responseSchemaOf(ctx.getHandler());
    if (!schema) return next.handle();
    const route = `${ctx.getClass().name}.${ctx.getHandler().name}`;
    return next.handle().pipe(
      map((body: unknown) => {
        if (body instanceof StreamableFile || Buffer.isBuffer(body)) return body;
        // the handler answered through `res` itself (a CSV of a route that also answers JSON): no JSON to check
        if (body === undefined && ctx.switchToHttp().getResponse<{ headersSent?: boolean }>().headersSent) return body;
        const checked = schema.safeParse(body);
        if (checked.success) return body;
        const issues = issuesOf(checked.error);
        this.log.error({ route, issues }, `the answer of ${route} does not match its response schema`);
        if (this.mode === 'strict')
          throw new InternalServerErrorException({ message: `the answer of ${route} does not match its response schema`, issues, code: 'response_contract' });
        return body;
      }),
    );
  }
}

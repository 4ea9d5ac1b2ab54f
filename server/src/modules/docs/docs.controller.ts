import { Controller, Get, Header, Inject, type Type } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { openApiDocument } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { API_VERSION, ApiResponse, buildOpenApi, type RouteAccess } from '../../infra/openapi';
import { PERMISSION_KEY, PUBLIC_KEY, Public } from '../auth/auth.decorators';
import { DOCS_HTML, DOCS_SCRIPT } from './docs-page';

/** The API's own description: `GET /api/openapi.json` (OpenAPI 3.1) and a page that reads it. Public: it describes routes, not data. */
@Controller('api')
export class DocsController {
  private document: Record<string, unknown> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every route the app serves, with the zod schemas its pipes validate with. */
  @Get('openapi.json')
  @Public()
  @ApiResponse(openApiDocument)
  @Header('Cache-Control', 'no-cache')
  openapi(): Record<string, unknown> {
    this.document ??= buildOpenApi(this.controllers(), (controller, handler) => this.access(controller, handler), {
      title: 'Gözcü API',
      version: API_VERSION,
    }).document;
    return this.document;
  }

  /** API belgeleri / API documentation: a self-contained page that lists the routes of /api/openapi.json by tag. */
  @Get('docs')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DOCS_HTML;
  }

  /** The page's script (a file of its own: the content security policy allows scripts from 'self' only). */
  @Get('docs/docs.js')
  @Public()
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return DOCS_SCRIPT;
  }

  private controllers(): Type[] {
    return this.discovery
      .getControllers()
      .map((w) => w.metatype as Type | null)
      .filter((t): t is Type => typeof t === 'function');
  }

  /** The auth guard's reading of a route's metadata (handler first, then class), for this deployment's config. */
  private access(controller: Type, handler: string): RouteAccess {
    const fn = (controller.prototype as Record<string, () => unknown>)[handler];
    const meta = <T>(key: string) => this.reflector.getAllAndOverride<T | undefined>(key, [fn, controller]);
    const publicWhen = meta<true | ((config: AppConfig) => boolean)>(PUBLIC_KEY);
    return {
      public: publicWhen === true || (typeof publicWhen === 'function' && publicWhen(this.config)),
      permissions: meta<string[]>(PERMISSION_KEY) ?? [],
    };
  }
}

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from 'nestjs-pino';
import { json, text } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './infra/http';
import type { AppConfig } from './infra/config';
import { ResponseContractInterceptor, responseCheckOf } from './infra/response-contract';
import { CorsIoAdapter } from './infra/socket-cors';

export const DEFAULT_DASHBOARD_DIR = resolve(__dirname, '..', '..', 'dashboard', 'dist');

/** Builds the whole application (API, gateway, workers, dashboard) without listening. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  // client addresses behind a load balancer (rate limits, login backoff, audit)
  app.set('trust proxy', config.TRUST_PROXY);
  // Socket.IO answers the same origins as REST (CORS_ORIGINS; none but our own by default)
  app.useWebSocketAdapter(new CorsIoAdapter(app, config.CORS_ORIGINS));
  // the dashboard is a same-origin SPA: scripts, styles, sockets and fetches from 'self' only
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'"], 'connect-src': ["'self'", ...config.CORS_ORIGINS], 'img-src': ["'self'", 'data:', 'blob:'] },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.enableCors({
    origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
    credentials: false,
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    maxAge: 600,
  });
  app.use(json({ limit: '256kb' }));
  const csvText = text({ type: ['text/csv', 'text/plain'], limit: '10mb' });
  // the register import streams its body itself (any size, bounded memory)
  app.use((req: { path: string }, res: unknown, next: () => void) =>
    req.path === '/api/register/import' ? next() : (csvText as (a: unknown, b: unknown, c: unknown) => void)(req, res, next),
  );
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalInterceptors(new ResponseContractInterceptor(responseCheckOf(config)));
  const dashboard = config.DASHBOARD_DIR ?? DEFAULT_DASHBOARD_DIR;
  if (existsSync(dashboard)) app.useStaticAssets(dashboard, { index: 'index.html', maxAge: '1h', setHeaders: noCacheIndex });
  return app;
}

function noCacheIndex(res: { setHeader(name: string, value: string): void }, path: string): void {
  // the service worker too: a new build must reach the phones at their next visit
  if (path.endsWith('index.html') || path.endsWith('sw.js')) res.setHeader('Cache-Control', 'no-cache');
}

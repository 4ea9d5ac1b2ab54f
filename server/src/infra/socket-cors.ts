import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';

/**
 * Socket.IO with the REST CORS policy: only CORS_ORIGINS (without credentials) may open a
 * socket from another origin; with none set, only same-origin pages (a browser sends an Origin
 * header, which must then name this host). Non-browser clients send no Origin and are let
 * through: the access token in the handshake is what authenticates them.
 */
export class CorsIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly origins: string[],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.origins;
    return super.createIOServer(port, {
      ...options,
      cors: origins.length ? { origin: origins, credentials: false } : undefined,
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => {
        const origin = req.headers.origin;
        if (!origin) return callback(null, true);
        if (origins.includes(origin)) return callback(null, true);
        let host: string | null;
        try {
          host = new URL(origin).host;
        } catch {
          host = null;
        }
        callback(host !== null && host === req.headers.host ? null : 'origin not allowed', host !== null && host === req.headers.host);
      },
    });
  }
}

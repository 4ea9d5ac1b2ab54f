import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { AlertEvent } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { PUBSUB, type PubSub } from '../../infra/pubsub';
import type { LiveServer, LiveSocket } from '../live/live.gateway';

export const userRoom = (userId: string) => `user:${userId}`;

/**
 * The alerts side of the live socket: every authenticated socket (the live gateway's handshake
 * check has run) joins its user's room, and alerts are emitted to that room per recipient, each
 * already shaped for that recipient (the embargo). Across nodes, each emission is also announced
 * on a pub/sub channel and every other node emits it to its own sockets of that user.
 */
@WebSocketGateway({ cors: { origin: true, credentials: true }, serveClient: false })
export class AlertsGateway implements OnGatewayConnection, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AlertsGateway.name);
  @WebSocketServer() server!: LiveServer;
  private readonly node = randomUUID();
  private readonly channel: string;
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
  ) {
    this.channel = `gozcu:alerts:${config.YSK_ELECTION_ID}`;
  }

  onModuleInit(): void {
    this.unsubscribe = this.pubsub.subscribe(this.channel, (raw) => {
      try {
        const m = JSON.parse(raw) as { node: string; userId: string; event: AlertEvent };
        if (m.node !== this.node) this.server?.to(userRoom(m.userId)).emit('alert', m.event);
      } catch {
        /* not ours */
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  handleConnection(socket: LiveSocket): void {
    // unset when the handshake's check refused the socket
    const principal = (socket.data as Partial<LiveSocket['data']> | undefined)?.principal;
    if (principal) void socket.join(userRoom(principal.userId));
  }

  toUser(userId: string, event: AlertEvent): void {
    this.server?.to(userRoom(userId)).emit('alert', event);
    this.pubsub
      .publish(this.channel, JSON.stringify({ node: this.node, userId, event }))
      .catch((e: Error) => this.logger.warn(`cannot announce an alert: ${e.message}`));
  }
}

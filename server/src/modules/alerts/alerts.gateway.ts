import { WebSocketGateway, WebSocketServer, type OnGatewayConnection } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { AlertEvent, Principal } from '@gozcu/shared';

export const userRoom = (userId: string) => `user:${userId}`;

/**
 * The alerts side of the live socket: every authenticated socket (the live gateway's handshake
 * check has run) joins its user's room, and alerts are emitted to that room per recipient, each
 * already shaped for that recipient (the embargo).
 */
@WebSocketGateway({ cors: { origin: true, credentials: true }, serveClient: false })
export class AlertsGateway implements OnGatewayConnection {
  @WebSocketServer() server!: Server;

  handleConnection(socket: Socket): void {
    const principal = (socket.data as { principal?: Principal } | undefined)?.principal;
    if (principal) void socket.join(userRoom(principal.userId));
  }

  toUser(userId: string, event: AlertEvent): void {
    this.server?.to(userRoom(userId)).emit('alert', event);
  }
}

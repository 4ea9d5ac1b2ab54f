import { Inject, Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayInit } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { ballotCodeSchema, type Ack, type BallotCode, type FeedHealthEvent, type Principal, type RoomSnapshot } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { ReconcileService } from '../reconcile/reconcile.service';
import { LiveHub } from './live.hub';
import { mayJoin, parseRoom } from './rooms';
import { LIVE_VIEW_POLICY, TOKEN_VERIFIER, type LiveViewPolicy, type TokenVerifier } from './token-verifier';

interface SocketData {
  principal: Principal;
  /** public room → the channel this socket is in for it */
  channels: Map<string, string>;
}

const fail = (msg: string): Ack<never> => ({ ok: false, msg });

/**
 * The live gateway. The handshake carries `auth.token`; the server derives the caller's scope
 * from it and lets the socket join only rooms inside that scope.
 */
@WebSocketGateway({ cors: { origin: true, credentials: true }, serveClient: false })
export class LiveGateway implements OnGatewayInit {
  private readonly logger = new Logger(LiveGateway.name);
  @WebSocketServer() server!: Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: LiveHub,
    private readonly reconcile: ReconcileService,
    bus: ChangeBus,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(LIVE_VIEW_POLICY) private readonly views: LiveViewPolicy,
  ) {
    bus.on('feed.health', (e: FeedHealthEvent) => this.server?.emit('feed:health', e));
  }

  afterInit(server: Server): void {
    this.hub.attach(server);
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      void this.authenticate(typeof token === 'string' ? token : '').then(
        (principal) => {
          if (!principal) return next(new Error('unauthorized: a valid access token is required'));
          (socket.data as SocketData) = { principal, channels: new Map() };
          next();
        },
        (e: Error) => next(new Error(`unauthorized: ${e.message}`)),
      );
    });
  }

  private async authenticate(token: string): Promise<Principal | null> {
    if (!token) return null;
    return this.verifier.verifyAccessToken(token);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: Socket, @MessageBody() req: { room?: unknown; ballot?: unknown }): Ack<RoomSnapshot> {
    const data = socket.data as SocketData;
    const parsed = parseRoom(req?.room);
    if (!parsed) return fail(`unknown room ${JSON.stringify(req?.room)}`);
    if (!mayJoin(data.principal, parsed, (d) => this.reconcile.provinceOfDistrict(d))) {
      return fail(`room ${parsed.room} is outside your scope`);
    }
    if (parsed.kind === 'ops') {
      void socket.join('ops');
      return fail('ops carries feed:health events only; it has no snapshot');
    }
    let ballot: BallotCode;
    if (parsed.kind === 'box') ballot = parsed.ballot;
    else {
      const b = ballotCodeSchema.safeParse(req?.ballot ?? this.config.YSK_BALLOT_TYPES[0]);
      if (!b.success) return fail(`unknown ballot type ${JSON.stringify(req?.ballot)}`);
      ballot = b.data;
    }
    const view = this.views.viewOf(data.principal);
    const previous = data.channels.get(parsed.room);
    const { channel, snapshot } = this.hub.snapshot(parsed, ballot, view);
    if (previous && previous !== channel) void socket.leave(previous);
    void socket.join(channel);
    data.channels.set(parsed.room, channel);
    return { ok: true, data: snapshot };
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() req: { room?: unknown }): Ack<null> {
    const data = socket.data as SocketData;
    const room = typeof req?.room === 'string' ? req.room : '';
    const channel = data.channels.get(room);
    if (room === 'ops') void socket.leave('ops');
    else if (!channel) return fail(`not subscribed to ${JSON.stringify(req?.room)}`);
    if (channel) {
      void socket.leave(channel);
      data.channels.delete(room);
    }
    return { ok: true, data: null };
  }
}

import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SESSION_CHECK_MS, SessionService } from '../auth/session.service';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, type OnGatewayInit } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import {
  ballotCodeSchema,
  type Ack,
  type BallotCode,
  type ClientToServerEvents,
  type FeedHealthEvent,
  type Principal,
  type RoomSnapshot,
  type ServerToClientEvents,
} from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { ReconcileService } from '../reconcile/reconcile.service';
import { LiveHub } from './live.hub';
import { mayJoin, parseRoom } from './rooms';
import { LIVE_VIEW_POLICY, TOKEN_VERIFIER, type LiveViewPolicy, type TokenVerifier } from './token-verifier';

/** What the server keeps on an authenticated socket (set by the handshake's middleware). */
export interface SocketData {
  principal: Principal;
  /** public room → the channel this socket is in for it */
  channels: Map<string, string>;
  /** when the handshake's access token expires (s since epoch) */
  expiresAt?: number;
}

/**
 * The Socket.IO server and sockets typed with the shared event maps (the dashboard's client uses
 * the same): an emit of an unknown event or of a wrong payload does not compile.
 */
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Sockets of callers with feed:read: the only ones told `feed:health`. */
const FEED_READERS = 'feed-readers';

function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

const fail = (msg: string): Ack<never> => ({ ok: false, msg });

/**
 * The live gateway. The handshake carries `auth.token`; the server derives the caller's scope
 * from it and lets the socket join only rooms inside that scope.
 */
@WebSocketGateway({ serveClient: false })
export class LiveGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveGateway.name);
  @WebSocketServer() server!: LiveServer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: LiveHub,
    private readonly reconcile: ReconcileService,
    bus: ChangeBus,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(LIVE_VIEW_POLICY) private readonly views: LiveViewPolicy,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {
    // feed health only to the roles that may read it (REST: feed:read)
    bus.on('feed.health', (e: FeedHealthEvent) => this.server?.to(FEED_READERS).emit('feed:health', e));
  }

  private sweep: NodeJS.Timeout | undefined;
  private offRevoked: (() => void) | undefined;

  onModuleDestroy(): void {
    clearInterval(this.sweep);
    this.offRevoked?.();
  }

  /** Closes the sockets whose session ended (revoked, user disabled) or whose token expired. */
  private async closeEnded(userId?: string): Promise<void> {
    const sockets = this.server?.of('/').sockets;
    if (!sockets) return;
    const now = this.clock.wall() / 1000;
    for (const socket of [...sockets.values()]) {
      const data = socket.data as Partial<SocketData>;
      if (!data.principal || (userId && data.principal.userId !== userId)) continue;
      const expired = data.expiresAt !== undefined && data.expiresAt <= now;
      if (expired || !(await this.sessions.valid(data.principal).catch(() => true))) {
        socket.emit('session:ended', { reason: expired ? 'the access token expired' : 'the session was ended' });
        socket.disconnect(true);
      }
    }
  }

  afterInit(server: LiveServer): void {
    this.hub.attach(server);
    this.sweep = setInterval(() => void this.closeEnded(), SESSION_CHECK_MS);
    this.sweep.unref();
    this.offRevoked = this.sessions.onRevoked((userId) => void this.closeEnded(userId));
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      void this.authenticate(typeof token === 'string' ? token : '').then(
        (principal) => {
          if (!principal) return next(new Error('unauthorized: a valid access token is required'));
          socket.data = { principal, channels: new Map(), expiresAt: expiryOf(typeof token === 'string' ? token : '') };
          if (principal.permissions.includes('feed:read')) void socket.join(FEED_READERS);
          next();
        },
        (e: Error) => next(new Error(`unauthorized: ${e.message}`)),
      );
    });
  }

  private async authenticate(token: string): Promise<Principal | null> {
    if (!token) return null;
    const principal = await this.verifier.verifyAccessToken(token);
    return principal && (await this.sessions.valid(principal)) ? principal : null;
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() req: { room?: unknown; ballot?: unknown }): Ack<RoomSnapshot> {
    const data = socket.data;
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
  unsubscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() req: { room?: unknown }): Ack<null> {
    const data = socket.data;
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

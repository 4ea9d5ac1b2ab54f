import { Module } from '@nestjs/common';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { LiveGateway } from './live.gateway';
import { LiveHub } from './live.hub';
import { ChangeReplicator } from './replicator';
import { EmbargoViews } from './embargo-views';
import { LIVE_VIEW_POLICY, TOKEN_VERIFIER } from './token-verifier';
import { TokenService } from '../auth/token.service';

@Module({
  imports: [ReconcileModule],
  providers: [
    LiveHub,
    LiveGateway,
    ChangeReplicator,
    { provide: TOKEN_VERIFIER, useExisting: TokenService },
    { provide: LIVE_VIEW_POLICY, useClass: EmbargoViews },
  ],
  exports: [LiveHub],
})
export class LiveModule {}

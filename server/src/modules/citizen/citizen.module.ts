import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../../infra/config';
import { SECRET_FILES } from '../../infra/secret-file';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { CitizenController } from './citizen.controller';
import { CitizenService } from './citizen.service';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitRepository } from './rate-limit.repository';
import { TcLookupService } from './tc-lookup.service';
import { VoterRegisterService } from './voter-register.service';
import { VOTER_KEY, loadVoterSecret } from './voter-secret';

/** The public citizen pages: box look-up by number or by TC Kimlik No, and the voter register behind it. */
@Module({
  imports: [ReconcileModule],
  providers: [
    { provide: VOTER_KEY, inject: [APP_CONFIG, SECRET_FILES], useFactory: loadVoterSecret },
    VoterRegisterService,
    CitizenService,
    TcLookupService,
    RateLimitRepository,
    RateLimitGuard,
  ],
  controllers: [CitizenController],
  exports: [RateLimitRepository, RateLimitGuard, CitizenService, VoterRegisterService, VOTER_KEY],
})
export class CitizenModule {}

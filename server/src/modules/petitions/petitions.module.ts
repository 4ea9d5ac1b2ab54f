import { Module } from '@nestjs/common';
import { ComplaintsModule } from '../complaints/complaints.module';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { PetitionsController, StaleNoticesController } from './petitions.controller';
import { PetitionsService } from './petitions.service';
import { StaleNoticesService } from './stale-notices.service';

/** Objection petitions to the District Election Board, and the district chairs' stale-box notices. */
@Module({
  imports: [ReconcileModule, ComplaintsModule],
  providers: [PetitionsService, StaleNoticesService],
  controllers: [PetitionsController, StaleNoticesController],
  exports: [PetitionsService],
})
export class PetitionsModule {}

import { Module } from '@nestjs/common';
import { BoxDetailService } from './box-detail.service';
import { ReconcileController } from './reconcile.controller';
import { ReconcileService } from './reconcile.service';

@Module({
  providers: [ReconcileService, BoxDetailService],
  controllers: [ReconcileController],
  exports: [ReconcileService, BoxDetailService],
})
export class ReconcileModule {}

import { Module } from '@nestjs/common';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { EntriesController } from './entries.controller';
import { EntriesService } from './entries.service';

@Module({ imports: [ReconcileModule], providers: [EntriesService], controllers: [EntriesController] })
export class EntriesModule {}

import { Module } from '@nestjs/common';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { EntriesController } from './entries.controller';
import { EntriesService } from './entries.service';
import { MyBoxesService } from './my-boxes.service';

@Module({ imports: [ReconcileModule], providers: [EntriesService, MyBoxesService], controllers: [EntriesController] })
export class EntriesModule {}

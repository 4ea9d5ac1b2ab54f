import { Module } from '@nestjs/common';
import { CitizenModule } from '../citizen/citizen.module';
import { uploadsModule } from '../photos/multer.options';
import { PhotosModule } from '../photos/photos.module';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { CitizenComplaintsController, ComplaintsController } from './complaints.controller';
import { ComplaintsService } from './complaints.service';

/** Complaints with evidence and their workflow. */
@Module({
  imports: [uploadsModule(), CitizenModule, PhotosModule, ReconcileModule],
  providers: [ComplaintsService],
  controllers: [CitizenComplaintsController, ComplaintsController],
  exports: [ComplaintsService],
})
export class ComplaintsModule {}

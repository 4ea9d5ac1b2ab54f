import { Module } from '@nestjs/common';
import sharp from 'sharp';
import { AttachmentsService } from './attachments.service';
import { uploadsModule } from './multer.options';
import { PhotosController } from './photos.controller';
import { SheetPhotosService } from './sheet-photos.service';

// re-encoding runs once per upload: no cache of decoded images, bounded threads
sharp.cache(false);
sharp.concurrency(2);

/** Uploaded files: complaint evidence and result-sheet photos, checked by content, metadata stripped. */
@Module({
  imports: [uploadsModule()],
  providers: [AttachmentsService, SheetPhotosService],
  controllers: [PhotosController],
  exports: [AttachmentsService],
})
export class PhotosModule {}

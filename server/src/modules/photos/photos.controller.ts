import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { z } from 'zod';
import {
  attachmentQuery as downloadQuery,
  sheetPhotoUploadBody as uploadBody,
  sheetPhotoViewSchema,
  sheetPhotosResponse,
  type Principal,
  type SheetPhotoView,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiProduces, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Scoped } from '../auth/auth.decorators';
import { boxOfParam } from '../auth/scope';
import { ATTACHMENT_EXTENSIONS, AttachmentsService, type UploadedFileLike } from './attachments.service';
import { SheetPhotosService } from './sheet-photos.service';

@Controller('api')
export class PhotosController {
  constructor(
    private readonly sheets: SheetPhotosService,
    private readonly attachments: AttachmentsService,
  ) {}

  /** multipart/form-data: `photo` (JPEG, PNG or WebP) and optionally `entryId`; answers the photo's SHA-256 and upload time. */
  @Post('boxes/:key/sheet-photos')
  @ApiResponse(sheetPhotoViewSchema)
  @HttpCode(201)
  @Permission('entries:write')
  @Scoped(boxOfParam('key'))
  @UseInterceptors(FileInterceptor('photo'))
  @ApiBody({ types: ['multipart/form-data'], files: { photo: 1 }, description: 'JPEG, PNG or WebP' })
  upload(
    @Param('key') key: string,
    @Body(new ZodPipe(uploadBody, 'upload')) body: z.infer<typeof uploadBody>,
    @UploadedFile() file: UploadedFileLike | undefined,
    @CurrentUser() user: Principal,
  ): Promise<SheetPhotoView> {
    return this.sheets.upload(user, key, body.entryId, file);
  }

  /** The result-sheet photos of a box, oldest first. */
  @Get('boxes/:key/sheet-photos')
  @ApiResponse(sheetPhotosResponse)
  @Permission('boxes:read')
  @Scoped(boxOfParam('key'))
  async list(@Param('key') key: string, @CurrentUser() user: Principal): Promise<{ items: SheetPhotoView[] }> {
    return { items: await this.sheets.list(user, key) };
  }

  /** An attachment's bytes: the metadata-free version, or with `?original=1` the file as uploaded (legal officers). */
  @Get('attachments/:id')
  @ApiProduces(...Object.keys(ATTACHMENT_EXTENSIONS))
  async download(
    @Param('id') id: string,
    @Query(new ZodPipe(downloadQuery, 'query')) q: z.infer<typeof downloadQuery>,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const file = await this.attachments.download(user, id, q.original === '1' || q.original === 'true');
    // images are shown inline; anything else (PDFs, which may carry JavaScript) only downloads, and never runs in our origin
    const inline = file.contentType.startsWith('image/');
    res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.name}"`);
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, max-age=300');
    return new StreamableFile(file.data, { type: file.contentType });
  }
}

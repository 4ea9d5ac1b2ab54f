import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BadRequestException } from '@nestjs/common';
import { ZodPipe } from '../../infra/http';
import { confirmBody, entryBody, type ConfirmBody, type EntryBody } from './entries.dto';
import { EntriesService, type EntryResult } from './entries.service';

@Controller('api')
export class EntriesController {
  constructor(private readonly entries: EntriesService) {}

  /** 201 for a new entry, 200 for a retry of one already stored (same idempotency key). */
  @Post('entries')
  async submit(@Body(new ZodPipe(entryBody, 'entry')) body: EntryBody, @Res({ passthrough: true }) res: Response): Promise<EntryResult> {
    const result = await this.entries.submit(body);
    res.status(result.duplicate ? 200 : 201);
    return result;
  }

  /** CSV body (text/csv): header ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid[,observer,idempotencyKey,election], then one column per party. */
  @Post('entries/import')
  @HttpCode(200)
  async importCsv(@Body() body: unknown, @Headers('x-observer') observer: string | undefined) {
    if (typeof body !== 'string' || !body.trim()) throw new BadRequestException('send the CSV as the request body with Content-Type: text/csv');
    return this.entries.importCsv(body, observer?.trim() || 'import');
  }

  @Post('boxes/:key/confirm')
  @HttpCode(200)
  async confirm(@Param('key') key: string, @Body(new ZodPipe(confirmBody, 'confirmation')) body: ConfirmBody): Promise<EntryResult> {
    return this.entries.confirm(key, body);
  }
}

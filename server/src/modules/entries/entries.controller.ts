import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BadRequestException } from '@nestjs/common';
import {
  entriesImportResponse,
  entryResultResponse,
  myBoxesResponse,
  type EntriesImportResult,
  type EntryResult,
  type MyBoxesResponse,
  type Principal,
} from '@gozcu/shared';
import { csvOfRequest } from '../../infra/csv';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Scoped } from '../auth/auth.decorators';
import { EmbargoService } from '../auth/embargo.service';
import { boxOfEntryBody, boxOfParam, boxesOfEntriesCsv, regionOfQuery } from '../auth/scope';
import { confirmBody, entryBody, myBoxesQuery, type ConfirmBody, type EntryBody, type MyBoxesQuery } from './entries.dto';
import { EntriesService } from './entries.service';
import { MyBoxesService } from './my-boxes.service';

/** Entries and their audit records are written in one transaction by EntriesService (issue 13). */
@Controller('api')
export class EntriesController {
  constructor(
    private readonly entries: EntriesService,
    private readonly embargo: EmbargoService,
    private readonly myBoxes: MyBoxesService,
  ) {}

  /**
   * "Sandıklarım": the caller's boxes (a box-level scope's own boxes; a region-scoped data
   * officer names a district), each with its state, the ballot's columns in ballot order and
   * the caller's own latest entry with its verdict (received / match / differs).
   */
  @Get('entries/my-boxes')
  @ApiResponse(myBoxesResponse)
  @Permission('entries:write')
  @Scoped(regionOfQuery)
  mine(@Query(new ZodPipe(myBoxesQuery, 'query')) q: MyBoxesQuery, @CurrentUser() user: Principal): Promise<MyBoxesResponse> {
    return this.myBoxes.list(user, q);
  }

  /** 201 for a new entry, 200 for a retry of one already stored (same idempotency key). The signed-in user is the observer. */
  @Post('entries')
  @ApiResponse(entryResultResponse)
  @Permission('entries:write')
  @Scoped(boxOfEntryBody)
  async submit(
    @Body(new ZodPipe(entryBody, 'entry')) body: EntryBody,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EntryResult> {
    const result = await this.entries.submit({ ...body, observer: user.username }, 'observer', user);
    res.status(result.duplicate ? 200 : 201);
    return this.shaped(user, result);
  }

  /** CSV body (text/csv): header ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid[,idempotencyKey,election], then one column per party. */
  @Post('entries/import')
  @ApiResponse(entriesImportResponse)
  @ApiBody({
    types: ['text/csv'],
    description:
      'ballot,province,district,boxNo,registered,voted,validUncontested,validAfterObjection,valid,invalid[,idempotencyKey,election], then one column per party',
  })
  @HttpCode(200)
  @Permission('entries:import')
  @Scoped(boxesOfEntriesCsv)
  async importCsv(@Body() body: unknown, @Req() req: Request, @CurrentUser() user: Principal): Promise<EntriesImportResult> {
    if (typeof body !== 'string' || !body.trim()) throw new BadRequestException('send the CSV as the request body with Content-Type: text/csv');
    // the scope guard has read the rows already (boxesOfEntriesCsv): the import takes that parse
    return this.entries.importCsv(csvOfRequest(req), user.username, user);
  }

  /** Confirms one of a box's entries: it is in force and resolves a conflict. The signed-in user confirms. */
  @Post('boxes/:key/confirm')
  @ApiResponse(entryResultResponse)
  @HttpCode(200)
  @Permission('entries:confirm')
  @Scoped(boxOfParam('key'))
  async confirm(
    @Param('key') key: string,
    @Body(new ZodPipe(confirmBody, 'confirmation')) body: ConfirmBody,
    @CurrentUser() user: Principal,
  ): Promise<EntryResult> {
    return this.shaped(user, await this.entries.confirm(key, { ...body, by: user.username }, user));
  }

  private shaped(user: Principal, result: EntryResult): EntryResult {
    return result.box ? { ...result, box: this.embargo.summary(user, result.box) } : result;
  }
}

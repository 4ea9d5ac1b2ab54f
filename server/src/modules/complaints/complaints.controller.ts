import { Body, Controller, Get, HttpCode, Param, Post, Query, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import {
  complaintCountsSchema,
  complaintFiledResponse,
  complaintTrackingSchema,
  complaintViewSchema,
  complaintsResponse,
  trackingCodeParam as codeParam,
  type ComplaintCounts,
  type ComplaintTracking,
  type ComplaintView,
  type Principal,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Public, Scoped } from '../auth/auth.decorators';
import { regionOfQuery } from '../auth/scope';
import { RateLimitGuard, RateLimited } from '../citizen/rate-limit.guard';
import type { UploadedFileLike } from '../photos/attachments.service';
import {
  complaintBody,
  complaintsQuery,
  countsQuery,
  statusBody,
  type ComplaintBody,
  type ComplaintsQuery,
  type CountsQuery,
  type StatusBody,
} from './complaints.dto';
import { ComplaintsService } from './complaints.service';

/** The citizen side: filing a complaint with evidence, and following it by its tracking code. */
@Controller('api/citizen/complaints')
@UseGuards(RateLimitGuard)
export class CitizenComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  /**
   * multipart/form-data: province, district, boxNo, [ballot], text, [contact], and up to 5 files
   * in `files` (JPEG, PNG, WebP or PDF, checked by content). Answers the tracking code (201).
   */
  @Post()
  @ApiResponse(complaintFiledResponse)
  @Public()
  @HttpCode(201)
  @RateLimited('citizen.complaint')
  @UseInterceptors(FilesInterceptor('files', 5))
  @ApiBody({ types: ['multipart/form-data'], files: { files: 5 }, description: 'JPEG, PNG, WebP or PDF, checked by content' })
  file(
    @Body(new ZodPipe(complaintBody, 'complaint')) body: ComplaintBody,
    @UploadedFiles() files: UploadedFileLike[] | undefined,
    @CurrentUser() user: Principal | undefined,
  ): Promise<ComplaintTracking & { attachments: number }> {
    return this.complaints.file(body, files ?? [], user ?? null);
  }

  @Get(':code')
  @ApiResponse(complaintTrackingSchema)
  @Public()
  @RateLimited('citizen.lookup')
  track(@Param('code', new ZodPipe(codeParam, 'tracking code')) code: string): Promise<ComplaintTracking> {
    return this.complaints.track(code);
  }
}

/** The organisation side: complaints in the caller's scope, their counts, and the workflow. */
@Controller('api/complaints')
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @Get()
  @ApiResponse(complaintsResponse)
  @Permission('complaints:read')
  @Scoped(regionOfQuery)
  list(@Query(new ZodPipe(complaintsQuery, 'query')) q: ComplaintsQuery, @CurrentUser() user: Principal): Promise<{ items: ComplaintView[] }> {
    return this.complaints.list(user, q);
  }

  /** Complaints per status in a scope (the dashboard's counters). */
  @Get('counts')
  @ApiResponse(complaintCountsSchema)
  @Permission('complaints:read')
  @Scoped(regionOfQuery)
  counts(@Query(new ZodPipe(countsQuery, 'query')) q: CountsQuery, @CurrentUser() user: Principal): Promise<ComplaintCounts> {
    return this.complaints.counts(user, q);
  }

  @Get(':id')
  @ApiResponse(complaintViewSchema)
  @Permission('complaints:read')
  get(@Param('id') id: string, @CurrentUser() user: Principal): Promise<ComplaintView> {
    return this.complaints.get(user, id);
  }

  /** `{ status, note? }`: one step of the workflow; the transition table says who may take it. */
  @Post(':id/status')
  @ApiResponse(complaintViewSchema)
  @HttpCode(200)
  @Permission('complaints:read')
  transition(
    @Param('id') id: string,
    @Body(new ZodPipe(statusBody, 'status change')) body: StatusBody,
    @CurrentUser() user: Principal,
  ): Promise<ComplaintView> {
    return this.complaints.transition(user, id, body.status, body.note);
  }
}

import { Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Post, Put, Query, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import {
  deadlineSetResponse,
  petitionViewSchema,
  petitionsResponse,
  staleNoticesResponse,
  type PetitionView,
  type Principal,
  type StaleNotice,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiProduces, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Scoped } from '../auth/auth.decorators';
import { EmbargoService } from '../auth/embargo.service';
import { regionOfQuery, type ScopeExtractor } from '../auth/scope';
import { sendCsv, wantsCsv } from '../reconcile/csv';
import {
  deadlineBody,
  draftBody,
  editBody,
  petitionStatusBody,
  petitionsQuery,
  staleQuery,
  type DeadlineBody,
  type DraftBody,
  type EditBody,
  type PetitionStatusBody,
  type PetitionsQuery,
  type StaleQuery,
} from './petitions.dto';
import { PetitionsService } from './petitions.service';
import { StaleNoticesService } from './stale-notices.service';
import { Clock } from '../../infra/clock';

/** `PUT /api/petitions/deadlines/:district` with `{ province }`: that district. */
const districtOfDeadline: ScopeExtractor = (req) => {
  const province = Number((req.body as { province?: unknown } | undefined)?.province);
  const district = Number(req.params.district);
  return [{ region: { province: Number.isInteger(province) ? province : -1, district: Number.isInteger(district) ? district : -1 } }];
};

@Controller('api/petitions')
export class PetitionsController {
  constructor(private readonly petitions: PetitionsService) {}

  /** Petitions in scope, soonest deadline first, with the time left: `?status=unfiled` for the legal officer's list. */
  @Get()
  @ApiResponse(petitionsResponse)
  @Permission('petitions:read')
  @Scoped(regionOfQuery)
  list(@Query(new ZodPipe(petitionsQuery, 'query')) q: PetitionsQuery, @CurrentUser() user: Principal): Promise<{ items: PetitionView[] }> {
    return this.petitions.list(user, q);
  }

  /** `{ key }` of a mismatched box, or `{ complaintId }`: drafts the petition (201). */
  @Post()
  @ApiResponse(petitionViewSchema)
  @HttpCode(201)
  @Permission('petitions:write')
  draft(@Body(new ZodPipe(draftBody, 'petition')) body: DraftBody, @CurrentUser() user: Principal): Promise<PetitionView> {
    return this.petitions.draft(user, body);
  }

  /** `{ province, deadline }`: the district's deadline for new petitions; its drafts move with it. */
  @Put('deadlines/:district')
  @ApiResponse(deadlineSetResponse)
  @Permission('petitions:write')
  @Scoped(districtOfDeadline)
  deadline(@Param('district', ParseIntPipe) district: number, @Body(new ZodPipe(deadlineBody, 'deadline')) body: DeadlineBody, @CurrentUser() user: Principal) {
    return this.petitions.setDeadline(user, district, body);
  }

  @Get(':id')
  @ApiResponse(petitionViewSchema)
  @Permission('petitions:read')
  get(@Param('id') id: string, @CurrentUser() user: Principal): Promise<PetitionView> {
    return this.petitions.get(user, id);
  }

  /** Edits a draft's text (any of its parts). */
  @Put(':id')
  @ApiResponse(petitionViewSchema)
  @Permission('petitions:write')
  edit(@Param('id') id: string, @Body(new ZodPipe(editBody, 'petition text')) body: EditBody, @CurrentUser() user: Principal): Promise<PetitionView> {
    return this.petitions.edit(user, id, body);
  }

  /** The petition as PDF (A4, embedded font), built from its current text. */
  @Get(':id/pdf')
  @ApiProduces('application/pdf')
  @Permission('petitions:read')
  async pdf(@Param('id') id: string, @CurrentUser() user: Principal, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const file = await this.petitions.pdf(user, id);
    res.setHeader('Content-Disposition', `attachment; filename="${file.name}"`);
    return new StreamableFile(file.data, { type: 'application/pdf' });
  }

  /** `{ status, reference?, note? }`: filed, accepted, rejected or withdrawn. */
  @Post(':id/status')
  @ApiResponse(petitionViewSchema)
  @HttpCode(200)
  @Permission('petitions:write')
  status(
    @Param('id') id: string,
    @Body(new ZodPipe(petitionStatusBody, 'status change')) body: PetitionStatusBody,
    @CurrentUser() user: Principal,
  ): Promise<PetitionView> {
    return this.petitions.setStatus(user, id, body);
  }
}

@Controller('api/stale-notices')
export class StaleNoticesController {
  constructor(
    private readonly notices: StaleNoticesService,
    private readonly embargo: EmbargoService,
    private readonly clock: Clock,
  ) {}

  /** The caller's stale boxes with the time elapsed, oldest first; CSV with `?format=csv` or `Accept: text/csv`. */
  @Get()
  @ApiResponse(staleNoticesResponse)
  @Permission('boxes:read')
  @Scoped(regionOfQuery)
  async list(
    @Query(new ZodPipe(staleQuery, 'query')) q: StaleQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @CurrentUser() user: Principal,
  ): Promise<{ items: StaleNotice[]; asOf: string } | void> {
    this.embargo.assertListable(user, { status: 'stale' });
    const items = await this.notices.list(user, q);
    if (!wantsCsv(q.format, accept)) return { items, asOf: this.clock.iso() };
    sendCsv(res, 'bekleyen-sandiklar', this.notices.csv(items));
  }
}

import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  lostVoterCaseViewSchema,
  petitionViewSchema,
  registerAnomaliesResponse,
  registerAnomalyViewSchema,
  registerCasesResponse,
  registerCheckResultSchema,
  registerCountsResponse,
  registerDistrictsResponse,
  registerImportReportSchema,
  registerReportResponse,
  type LostVoterCaseView,
  type PetitionView,
  type Principal,
  type RegisterAnomalyView,
  type RegisterCheckResult,
  type RegisterDistrictCount,
  type RegisterImportReport,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Public, Scoped } from '../auth/auth.decorators';
import { regionOfQuery } from '../auth/scope';
import { RateLimitGuard, RateLimited } from '../citizen/rate-limit.guard';
import {
  anomaliesQuery,
  casesQuery,
  checkBody,
  countsQuery,
  districtsQuery,
  reportBody,
  statusBody,
  type AnomaliesQuery,
  type CasesQuery,
  type CheckBody,
  type CountsQuery,
  type ReportBody,
  type StatusBody,
} from './register.dto';
import { RegisterImportService } from './register-import.service';
import { RegisterService } from './register.service';

@Controller('api/register')
@UseGuards(RateLimitGuard)
export class RegisterController {
  constructor(
    private readonly register: RegisterService,
    private readonly importer: RegisterImportService,
  ) {}

  /** `{ tc }` → registered or not, and where (public, rate-limited like the TC look-up; only one's own data). */
  @Post('check')
  @ApiResponse(registerCheckResultSchema)
  @Public()
  @HttpCode(200)
  @RateLimited('citizen.lookup', 'citizen.tc')
  async check(@Body(new ZodPipe(checkBody, 'register check')) body: CheckBody, @Res({ passthrough: true }) res: Response): Promise<RegisterCheckResult> {
    res.setHeader('Cache-Control', 'private, no-store');
    return this.register.check(body.tc);
  }

  /** A citizen's "Kayıtlı değilim" / "Adresim yanlış": a lost-voter case for their district (201, a tracking code). */
  @Post('reports')
  @ApiResponse(registerReportResponse)
  @Public()
  @HttpCode(201)
  @RateLimited('citizen.lookup', 'citizen.complaint')
  report(@Body(new ZodPipe(reportBody, 'register report')) body: ReportBody) {
    return this.register.report(body);
  }

  /** `?province=` → the province's districts (id and name), for the citizen's report form (public). */
  @Get('districts')
  @ApiResponse(registerDistrictsResponse)
  @Public()
  @RateLimited('citizen.lookup')
  districts(@Query(new ZodPipe(districtsQuery, 'query')) q: Required<CountsQuery>): Promise<{ items: { yskId: number; name: string }[] }> {
    return this.register.districtsOf(q.province);
  }

  /** HQ imports box voter lists, streamed: `text/csv` or `application/x-ndjson` (bounded memory at any size). */
  @Post('import')
  @ApiResponse(registerImportReportSchema)
  @ApiBody({ types: ['text/csv', 'application/x-ndjson'], description: 'box voter lists, streamed (any size, bounded memory)' })
  @HttpCode(200)
  @Permission('voters:import')
  import(@Req() req: Request, @Headers('content-type') type: string | undefined, @CurrentUser() user: Principal): Promise<RegisterImportReport> {
    return this.importer.importStream(req, type, user);
  }

  @Get('anomalies')
  @ApiResponse(registerAnomaliesResponse)
  @Permission('complaints:read')
  @Scoped(regionOfQuery)
  anomalies(@Query(new ZodPipe(anomaliesQuery, 'query')) q: AnomaliesQuery, @CurrentUser() user: Principal): Promise<{ items: RegisterAnomalyView[] }> {
    return this.register.anomalies(user, q);
  }

  /** `{ status: open | checked, note? }` */
  @Post('anomalies/:id/status')
  @ApiResponse(registerAnomalyViewSchema)
  @HttpCode(200)
  @Permission('complaints:handle')
  anomalyStatus(
    @Param('id') id: string,
    @Body(new ZodPipe(statusBody, 'status change')) body: StatusBody,
    @CurrentUser() user: Principal,
  ): Promise<RegisterAnomalyView> {
    return this.register.setAnomalyStatus(user, id, body);
  }

  /** Drafts the objection petition (kind `register`) to the district election board; the anomaly becomes objected. */
  @Post('anomalies/:id/objection')
  @ApiResponse(petitionViewSchema)
  @HttpCode(201)
  @Permission('petitions:write')
  objectAnomaly(@Param('id') id: string, @CurrentUser() user: Principal): Promise<PetitionView> {
    return this.register.objectAnomaly(user, id);
  }

  @Get('cases')
  @ApiResponse(registerCasesResponse)
  @Permission('complaints:read')
  @Scoped(regionOfQuery)
  cases(@Query(new ZodPipe(casesQuery, 'query')) q: CasesQuery, @CurrentUser() user: Principal): Promise<{ items: LostVoterCaseView[] }> {
    return this.register.cases(user, q);
  }

  @Post('cases/:id/status')
  @ApiResponse(lostVoterCaseViewSchema)
  @HttpCode(200)
  @Permission('complaints:handle')
  caseStatus(
    @Param('id') id: string,
    @Body(new ZodPipe(statusBody, 'status change')) body: StatusBody,
    @CurrentUser() user: Principal,
  ): Promise<LostVoterCaseView> {
    return this.register.setCaseStatus(user, id, body);
  }

  @Post('cases/:id/objection')
  @ApiResponse(petitionViewSchema)
  @HttpCode(201)
  @Permission('petitions:write')
  objectCase(@Param('id') id: string, @CurrentUser() user: Principal): Promise<PetitionView> {
    return this.register.objectCase(user, id);
  }

  /** Anomalies and cases per district by status, for provinces and HQ. */
  @Get('counts')
  @ApiResponse(registerCountsResponse)
  @Permission('complaints:read')
  @Scoped(regionOfQuery)
  counts(@Query(new ZodPipe(countsQuery, 'query')) q: CountsQuery, @CurrentUser() user: Principal): Promise<{ items: RegisterDistrictCount[] }> {
    return this.register.counts(user, q);
  }
}

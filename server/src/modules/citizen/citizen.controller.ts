import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { citizenBoxViewSchema, voterImportReportSchema, type CitizenBoxView, type Principal, type VoterImportReport } from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Public } from '../auth/auth.decorators';
import { CitizenService } from './citizen.service';
import { boxQuery, tcBody, type BoxQuery, type TcBody } from './citizen.dto';
import { RateLimitGuard, RateLimited, clientOf } from './rate-limit.guard';
import { TcLookupService } from './tc-lookup.service';
import { VoterRegisterService } from './voter-register.service';

@Controller('api/citizen')
@UseGuards(RateLimitGuard)
export class CitizenController {
  constructor(
    private readonly citizen: CitizenService,
    private readonly tc: TcLookupService,
    private readonly register: VoterRegisterService,
  ) {}

  /** A box's results by province, district and box number (public, cached, rate-limited). */
  @Get('boxes')
  @ApiResponse(citizenBoxViewSchema)
  @Public()
  @RateLimited('citizen.lookup')
  async box(@Query(new ZodPipe(boxQuery, 'query')) q: BoxQuery, @Res({ passthrough: true }) res: Response): Promise<CitizenBoxView> {
    const view = await this.citizen.box(q.province, q.district, q.box);
    res.setHeader('Cache-Control', `public, max-age=${this.citizen.cacheSeconds}`);
    return view;
  }

  /** `{ tc }` → the voter's box's results (public, rate-limited; enumeration throttled and logged). */
  @Post('lookup')
  @ApiResponse(citizenBoxViewSchema)
  @Public()
  @HttpCode(200)
  @RateLimited('citizen.lookup', 'citizen.tc')
  async lookup(@Body(new ZodPipe(tcBody, 'look-up')) body: TcBody, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<CitizenBoxView> {
    const view = await this.tc.lookup(body.tc, clientOf(req), res);
    res.setHeader('Cache-Control', 'private, no-store');
    return view;
  }

  /** HQ imports the voter-register extract: CSV `tc,province,district,box`; only keyed hashes are kept. */
  @Post('voters/import')
  @ApiResponse(voterImportReportSchema)
  @ApiBody({ types: ['text/csv'], description: 'tc,province,district,box' })
  @HttpCode(200)
  @Permission('voters:import')
  importVoters(@Body() body: unknown, @CurrentUser() user: Principal): Promise<VoterImportReport> {
    if (typeof body !== 'string' || !body.trim()) throw new BadRequestException('send the CSV as the request body with Content-Type: text/csv');
    return this.register.importCsv(body, user);
  }
}

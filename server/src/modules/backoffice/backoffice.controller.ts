import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import {
  BALLOT_LABELS,
  createUserResponse,
  districtsResponse,
  electionResponse,
  importUsersResponse,
  peopleNamesResponse,
  petitionDeadlinesResponse,
  usersResponse,
  userViewSchema,
  type BallotCode,
  type Principal,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ZodPipe } from '../../infra/http';
import { ApiBody, ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission, Public, Scoped } from '../auth/auth.decorators';
import { createUserBody, type CreateUserBody } from '../auth/auth.dto';
import { regionOfQuery } from '../auth/scope';
import { PetitionsService, electionName } from '../petitions/petitions.service';
import { STORE, type GeographyRepository, type UsersRepository } from '../store/store.port';
import { citizenDistrictsQuery, deadlinesQuery, namesQuery, teamPatch, teamQuery, type DeadlinesQuery, type TeamPatch, type TeamQuery } from './backoffice.dto';
import { TeamService } from './team.service';

/** The followed election as people name it, and people's display names (issue 12: human names everywhere). */
@Controller('api')
export class NamesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: GeographyRepository & UsersRepository,
  ) {}

  /** `GET /api/election` (public) → `{ id, name, ballots: [{ code, name }] }` */
  @Get('election')
  @Public()
  @ApiResponse(electionResponse)
  election() {
    return {
      id: this.config.YSK_ELECTION_ID,
      name: electionName(this.config),
      ballots: this.config.YSK_BALLOT_TYPES.map((code) => ({ code, name: BALLOT_LABELS[code as BallotCode] })),
    };
  }

  /** `GET /api/citizen/districts?province=NN` (public) → `{ items: [{ yskId, province, name }] }` by name: the citizen picks a district by name. */
  @Get('citizen/districts')
  @ApiResponse(districtsResponse)
  @Public()
  async citizenDistricts(@Query(new ZodPipe(citizenDistrictsQuery, 'query')) q: { province: number }) {
    const items = await this.store.districts(q.province);
    return { items: [...items].sort((a, b) => a.name.localeCompare(b.name, 'tr')).map(({ yskId, province, name }) => ({ yskId, province, name })) };
  }

  /** `GET /api/people/names?u=a,b` → `{ names: { a: "Ayşe Kaya" } }`: display names of usernames (any signed-in member). */
  @Get('people/names')
  @ApiResponse(peopleNamesResponse)
  async names(@Query(new ZodPipe(namesQuery, 'query')) q: { u: string[] }) {
    const names: Record<string, string> = {};
    for (const u of q.u) {
      const found = await this.store.userByName(u);
      if (found) names[u] = found.name;
    }
    return { names };
  }
}

/** `GET /api/petition-deadlines?province=&district=`: each district's objection deadline (set or default). */
@Controller('api/petition-deadlines')
export class DeadlinesController {
  constructor(private readonly petitions: PetitionsService) {}

  @Get()
  @ApiResponse(petitionDeadlinesResponse)
  @Permission('petitions:read')
  @Scoped(regionOfQuery)
  list(@Query(new ZodPipe(deadlinesQuery, 'query')) q: DeadlinesQuery, @CurrentUser() user: Principal) {
    return this.petitions.deadlines(user, q);
  }
}

/** Delegation: a chair's accounts below them in their scope (`users:delegate`), same shapes as `/api/users`. */
@Controller('api/team')
@Permission('users:delegate')
export class TeamController {
  constructor(private readonly team: TeamService) {}

  @Get()
  @ApiResponse(usersResponse)
  list(@Query(new ZodPipe(teamQuery, 'query')) q: TeamQuery, @CurrentUser() actor: Principal) {
    return this.team.list(actor, q);
  }

  @Post()
  @ApiResponse(createUserResponse)
  create(@CurrentUser() actor: Principal, @Body(new ZodPipe(createUserBody, 'user')) body: CreateUserBody) {
    return this.team.create(actor, body);
  }

  @Post('import')
  @ApiBody({ types: ['text/csv'], description: 'username,role[,name,province,district,boxes,password]' })
  @HttpCode(200)
  @ApiResponse(importUsersResponse)
  import(@CurrentUser() actor: Principal, @Body() body: unknown) {
    if (typeof body !== 'string' || !body.trim())
      throw new BadRequestException({ message: 'send the CSV as the request body with Content-Type: text/csv', code: 'csv.empty' });
    return this.team.importCsv(actor, body);
  }

  /** `{ name?, password?, disabled?, unlock? }` */
  @Patch(':id')
  @ApiResponse(userViewSchema)
  update(@CurrentUser() actor: Principal, @Param('id') id: string, @Body(new ZodPipe(teamPatch, 'user change')) body: TeamPatch) {
    return this.team.update(actor, id, body);
  }
}

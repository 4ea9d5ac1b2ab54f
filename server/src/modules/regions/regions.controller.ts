import { Controller, Get, ForbiddenException, Inject, Query } from '@nestjs/common';
import {
  districtsQuery,
  districtsResponse,
  parseBoxKey,
  provincesResponse,
  type District,
  type DistrictsQuery,
  type Principal,
  type Province,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission } from '../auth/auth.decorators';
import { STORE, type GeographyRepository } from '../store/store.port';

/** Names for the dashboard: provinces (plate → name) and a province's districts (YSK id → name). */
@Controller('api')
export class RegionsController {
  constructor(@Inject(STORE) private readonly store: GeographyRepository) {}

  /** `GET /api/provinces` → `{ items: [{ plate, name }] }`, by plate. */
  @Get('provinces')
  @ApiResponse(provincesResponse)
  @Permission('coverage:read')
  async provinces(): Promise<{ items: Province[] }> {
    const items = await this.store.provinces();
    return { items: [...items].sort((a, b) => a.plate - b.plate) };
  }

  /** `GET /api/districts?province=NN` → `{ items: [{ yskId, province, name }] }`, by name (tr). */
  @Get('districts')
  @ApiResponse(districtsResponse)
  @Permission('coverage:read')
  async districts(@CurrentUser() user: Principal, @Query(new ZodPipe(districtsQuery, 'query')) q: DistrictsQuery): Promise<{ items: District[] }> {
    const plate = q.province;
    // only the provinces of the caller's scope (a provincial chair reads their own province's districts)
    const own =
      user.scope.level === 'country'
        ? null
        : new Set(user.scope.province !== undefined ? [user.scope.province] : (user.scope.boxes ?? []).flatMap((k) => parseBoxKey(k)?.province ?? []));
    if (own && plate !== undefined && !own.has(plate)) throw new ForbiddenException(`province ${plate} is outside your scope`);
    const items = (await this.store.districts(plate)).filter((d) => !own || own.has(d.province));
    return { items: [...items].sort((a, b) => a.province - b.province || a.name.localeCompare(b.name, 'tr')) };
  }
}

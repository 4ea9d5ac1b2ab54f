import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import type { District, Province } from '@gozcu/shared';
import { Permission } from '../auth/auth.decorators';
import { STORE, type Store } from '../store/store.port';

/** Names for the dashboard: provinces (plate → name) and a province's districts (YSK id → name). */
@Controller('api')
export class RegionsController {
  constructor(@Inject(STORE) private readonly store: Store) {}

  /** `GET /api/provinces` → `{ items: [{ plate, name }] }`, by plate. */
  @Get('provinces')
  @Permission('coverage:read')
  async provinces(): Promise<{ items: Province[] }> {
    const items = await this.store.provinces();
    return { items: [...items].sort((a, b) => a.plate - b.plate) };
  }

  /** `GET /api/districts?province=NN` → `{ items: [{ yskId, province, name }] }`, by name (tr). */
  @Get('districts')
  @Permission('coverage:read')
  async districts(@Query('province') province?: string): Promise<{ items: District[] }> {
    let plate: number | undefined;
    if (province !== undefined && province !== '') {
      plate = Number(province);
      if (!Number.isInteger(plate) || plate < 1 || plate > 81) throw new BadRequestException('province is a plate code 1–81');
    }
    const items = await this.store.districts(plate);
    return { items: [...items].sort((a, b) => a.province - b.province || a.name.localeCompare(b.name, 'tr')) };
  }
}

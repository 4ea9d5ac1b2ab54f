import { Module } from '@nestjs/common';
import { RegionsController } from './regions.controller';

/** Province and district names (`GET /api/provinces`, `GET /api/districts?province=`). */
@Module({ controllers: [RegionsController] })
export class RegionsModule {}

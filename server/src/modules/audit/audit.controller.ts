import { Controller, Get, Query } from '@nestjs/common';
import { auditResponse } from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { Permission } from '../auth/auth.decorators';
import { auditQuery, type AuditQuery } from './audit.dto';
import { AuditService } from './audit.service';

@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit log, newest first: `?actor=&action=&target=<prefix>&since=&until=&limit=&cursor=`. */
  @Get()
  @Permission('audit:read')
  @ApiResponse(auditResponse)
  list(@Query(new ZodPipe(auditQuery, 'query')) q: AuditQuery) {
    const { limit, cursor, since, until, ...rest } = q;
    return this.audit.list(
      { ...rest, since: since && new Date(since).toISOString(), until: until && new Date(until).toISOString() },
      { before: cursor, limit },
    );
  }
}

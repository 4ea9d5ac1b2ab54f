import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/**
 * The audit log: a service any module can record to, and `GET /api/audit`. A change and its audit
 * line are written in one transaction by the store's `…Audited` methods.
 */
@Global()
@Module({
  providers: [AuditService],
  controllers: [AuditController],
  exports: [AuditService],
})
export class AuditModule {}

import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import { tcKimlikProblem, TC_KIMLIK_MESSAGES, type CitizenBoxView } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ValidationFailed } from '../../infra/http';
import { AuditService } from '../audit/audit.service';
import { CitizenService } from './citizen.service';
import { refuse } from './rate-limit.guard';
import { RateLimitRepository } from './rate-limit.repository';
import { VoterRegisterService } from './voter-register.service';

const MISS_WINDOW_MS = 3_600_000;

/**
 * Look-up by TC Kimlik No. Enumeration (many numbers that fail the check digits or are not in
 * the register, from one client) is throttled: past CITIZEN_ENUMERATION_LIMIT misses in an hour
 * the client is refused until the hour ends; the block is logged and audited (never the numbers).
 */
@Injectable()
export class TcLookupService {
  private readonly logger = new Logger('CitizenLookup');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly register: VoterRegisterService,
    private readonly citizen: CitizenService,
    private readonly limits: RateLimitRepository,
    private readonly audit: AuditService,
  ) {}

  async lookup(tc: string, client: string, res: Response): Promise<CitizenBoxView> {
    const limit = this.config.CITIZEN_ENUMERATION_LIMIT;
    const held = await this.limits.peek('citizen.tc-miss', client);
    if (held.hits >= limit) refuse(res, 'too many look-ups by TC Kimlik No that found nothing from this address', held.resetMs);
    const problem = tcKimlikProblem(tc);
    if (problem) {
      await this.miss(client);
      const message = `${TC_KIMLIK_MESSAGES[problem].tr} (${TC_KIMLIK_MESSAGES[problem].en})`;
      throw new ValidationFailed(`invalid TC Kimlik No: ${TC_KIMLIK_MESSAGES[problem].en}`, { tc: message });
    }
    const voter = await this.register.resolve(tc);
    if (!voter) {
      await this.miss(client);
      throw new NotFoundException('this TC Kimlik No is not in the voter register imported here (Bu TC Kimlik No yüklü seçmen listesinde yok)');
    }
    return this.citizen.box(voter.province, voter.district, voter.boxNo, true);
  }

  private async miss(client: string): Promise<void> {
    const { hits } = await this.limits.hit('citizen.tc-miss', client, MISS_WINDOW_MS);
    if (hits === this.config.CITIZEN_ENUMERATION_LIMIT) {
      this.logger.warn(
        `possible TC Kimlik No enumeration: client ${client} had ${hits} look-ups that found nothing within an hour; blocked until the hour ends`,
      );
      await this.audit.record(null, 'citizen.enumeration', `client:${client}`, null, { misses: hits, windowMinutes: MISS_WINDOW_MS / 60_000 });
    }
  }
}

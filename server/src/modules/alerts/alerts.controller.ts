import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put, Query } from '@nestjs/common';
import type { z } from 'zod';
import {
  alertPreferencesSchema,
  alertsReadResponse,
  alertsResponse,
  alertViewSchema,
  deadLettersResponse,
  okResponse,
  pushKeyResponse,
  type AlertPreferences,
  type AlertView,
  type DeadLetter,
  type Principal,
} from '@gozcu/shared';
import { ZodPipe } from '../../infra/http';
import { ApiResponse } from '../../infra/openapi';
import { CurrentUser, Permission } from '../auth/auth.decorators';
import { alertsQuery, preferencesBody, readBody, subscriptionBody, unsubscribeBody, type AlertsQuery } from './alerts.dto';
import { AlertsService } from './alerts.service';
import { AlertDeliveries } from './deliveries';

/** The caller's alerts, taking one, push subscriptions and channel preferences; the dead letters for HQ. */
@Controller('api/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly deliveries: AlertDeliveries,
  ) {}

  /** `?unread=true|false&limit=&digest=<id>`: newest first; a digest's members only with `digest`. */
  @Get()
  @ApiResponse(alertsResponse)
  list(@Query(new ZodPipe(alertsQuery, 'query')) q: AlertsQuery, @CurrentUser() user: Principal): Promise<{ items: AlertView[]; unread: number }> {
    return this.alerts.list(user, q);
  }

  /** "Ben ilgileniyorum": 200 with the alert; 409 naming who took it first; 404 when it is not routed to the caller. */
  @Post(':id/ack')
  @HttpCode(200)
  @ApiResponse(alertViewSchema)
  ack(@Param('id') id: string, @CurrentUser() user: Principal): Promise<AlertView> {
    return this.alerts.ack(user, id);
  }

  @Post('read')
  @HttpCode(200)
  @ApiResponse(alertsReadResponse)
  read(@Body(new ZodPipe(readBody, 'read marks')) body: z.infer<typeof readBody>, @CurrentUser() user: Principal): Promise<{ unread: number }> {
    return this.alerts.markRead(user, body.ids);
  }

  /** The VAPID public key the browser subscribes with. */
  @Get('push/key')
  @ApiResponse(pushKeyResponse)
  pushKey(): { publicKey: string } {
    return { publicKey: this.deliveries.vapid.publicKey };
  }

  @Post('push/subscriptions')
  @HttpCode(201)
  @ApiResponse(okResponse)
  async subscribe(
    @Body(new ZodPipe(subscriptionBody, 'push subscription')) body: z.infer<typeof subscriptionBody>,
    @CurrentUser() user: Principal,
  ): Promise<{ ok: true }> {
    await this.alerts.subscribe(user, body);
    return { ok: true };
  }

  @Delete('push/subscriptions')
  @HttpCode(200)
  @ApiResponse(okResponse)
  async unsubscribe(
    @Body(new ZodPipe(unsubscribeBody, 'push subscription')) body: z.infer<typeof unsubscribeBody>,
    @CurrentUser() user: Principal,
  ): Promise<{ ok: true }> {
    if (!(await this.alerts.unsubscribe(user, body.endpoint))) throw new NotFoundException('you have no push subscription with this endpoint');
    return { ok: true };
  }

  @Get('preferences')
  @ApiResponse(alertPreferencesSchema)
  preferences(@CurrentUser() user: Principal): Promise<AlertPreferences> {
    return this.alerts.preferences(user.userId);
  }

  @Put('preferences')
  @ApiResponse(alertPreferencesSchema)
  setPreferences(
    @Body(new ZodPipe(preferencesBody, 'preferences')) body: Partial<AlertPreferences>,
    @CurrentUser() user: Principal,
  ): Promise<AlertPreferences> {
    return this.alerts.setPreferences(user, body);
  }

  /** Deliveries (webhook, push, e-mail) that failed every attempt. */
  @Get('dead-letters')
  @Permission('audit:read')
  @ApiResponse(deadLettersResponse)
  async deadLetters(): Promise<{ items: DeadLetter[] }> {
    return { items: await this.deliveries.deadLetters() };
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(202)
  @Permission('audit:read')
  @ApiResponse(okResponse)
  async retry(@Param('id') id: string): Promise<{ ok: true }> {
    if (!(await this.deliveries.retry(id))) throw new NotFoundException(`no failed delivery ${id}`);
    return { ok: true };
  }
}

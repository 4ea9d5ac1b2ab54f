import { Module } from '@nestjs/common';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { AlertsController } from './alerts.controller';
import { AlertsGateway } from './alerts.gateway';
import { AlertsService } from './alerts.service';
import { AlertDeliveries } from './deliveries';

/** Alerts: rules over the change bus, routing, delivery (socket, Web Push, e-mail, webhooks), acknowledgement and escalation. */
@Module({
  imports: [ReconcileModule],
  providers: [AlertsGateway, AlertDeliveries, AlertsService],
  controllers: [AlertsController],
  exports: [AlertsService],
})
export class AlertsModule {}

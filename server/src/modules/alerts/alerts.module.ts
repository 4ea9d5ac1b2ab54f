import { Module } from '@nestjs/common';
import { ALERT_TRANSPORTS, NetworkAlertTransports } from '../../infra/alert-transports';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { AlertsController } from './alerts.controller';
import { AlertsGateway } from './alerts.gateway';
import { AlertsService } from './alerts.service';
import { AlertDeliveries } from './deliveries';

/** Alerts: rules over the change bus, routing, delivery (socket, Web Push, e-mail, webhooks), acknowledgement and escalation. */
@Module({
  imports: [ReconcileModule],
  providers: [{ provide: ALERT_TRANSPORTS, useClass: NetworkAlertTransports }, AlertsGateway, AlertDeliveries, AlertsService],
  controllers: [AlertsController],
  exports: [AlertsService],
})
export class AlertsModule {}

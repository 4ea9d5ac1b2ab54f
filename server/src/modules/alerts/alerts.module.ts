import { Module } from '@nestjs/common';
import { ALERT_TRANSPORTS, NetworkAlertTransports } from '../../infra/alert-transports';
import { APP_CONFIG } from '../../infra/config';
import { SECRET_FILES } from '../../infra/secret-file';
import { ReconcileModule } from '../reconcile/reconcile.module';
import { AlertsController } from './alerts.controller';
import { AlertsGateway } from './alerts.gateway';
import { AlertsService } from './alerts.service';
import { AlertDeliveries } from './deliveries';
import { VAPID_KEYS, loadVapidKeys } from './vapid';

/** Alerts: rules over the change bus, routing, delivery (socket, Web Push, e-mail, webhooks), acknowledgement and escalation. */
@Module({
  imports: [ReconcileModule],
  providers: [
    { provide: VAPID_KEYS, inject: [APP_CONFIG, SECRET_FILES], useFactory: loadVapidKeys },
    { provide: ALERT_TRANSPORTS, useClass: NetworkAlertTransports },
    AlertsGateway,
    AlertDeliveries,
    AlertsService,
  ],
  controllers: [AlertsController],
  exports: [AlertsService],
})
export class AlertsModule {}

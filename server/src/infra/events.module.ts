import { Global, Module } from '@nestjs/common';
import { ChangeBus } from './events';

@Global()
@Module({ providers: [ChangeBus], exports: [ChangeBus] })
export class EventsModule {}

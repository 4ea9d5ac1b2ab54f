import type { Provider } from '@nestjs/common';
import { YskClient } from '../modules/feed/ysk.client';
import type { YskRecorder } from '../modules/feed/ysk.recorder';
import { Clock } from './clock';
import { APP_CONFIG, type AppConfig } from './config';
import { recorderForDir } from './jsonl-recorder';

/** The YSK results API client (`YskClient`), or null when YSK_BASE_URL is not set (the feed is off). */
export const YSK_CLIENT = Symbol('YSK_CLIENT');
/** Where the client records every raw answer (YSK_RECORD_DIR, on a node that polls), or null. */
export const YSK_RECORDER = Symbol('YSK_RECORDER');

/** The YSK client over the global fetch and the wall clock, and its recorder: a unit test provides fakes instead. */
export const yskProviders: Provider[] = [
  {
    provide: YSK_RECORDER,
    inject: [APP_CONFIG, Clock],
    // only a node that polls records (an API-only node makes no calls)
    useFactory: (config: AppConfig, clock: Clock): YskRecorder | null =>
      config.YSK_BASE_URL && config.YSK_RECORD_DIR && config.YSK_WORKER ? recorderForDir(config.YSK_RECORD_DIR, clock.wall()) : null,
  },
  {
    provide: YSK_CLIENT,
    inject: [APP_CONFIG, YSK_RECORDER, Clock],
    useFactory: (config: AppConfig, recorder: YskRecorder | null, clock: Clock): YskClient | null =>
      config.YSK_BASE_URL
        ? new YskClient({
            baseUrl: config.YSK_BASE_URL,
            timeoutMs: config.YSK_TIMEOUT_MS,
            fetch: globalThis.fetch,
            now: () => clock.wall(),
            recorder: recorder ?? undefined,
          })
        : null,
  },
];

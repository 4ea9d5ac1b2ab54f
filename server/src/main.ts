import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, type AppConfig } from './infra/config';
import { simulatorOptionsFromEnv } from './simulator/config';
import { startSimulator } from './simulator/server';

/** However Redis, the store or the sockets behave, a SIGTERM/SIGINT ends the process within this. */
export const SHUTDOWN_DEADLINE_MS = 8_000;

/**
 * A hard deadline for shutdown: Nest's shutdown hooks close the queues, Redis, the store and
 * the sockets, and one of them can wait forever (a Redis that is down or frozen). The timer is
 * unref'd, so a clean shutdown exits as soon as the hooks are done.
 */
function boundShutdown(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const t = setTimeout(() => {
        process.stderr.write(`Gözcü: shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms after ${signal}; exiting now\n`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      t.unref();
    });
  }
}

async function main(): Promise<void> {
  boundShutdown();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`Gözcü cannot start. ${e.message}\nSee .env.example for every variable.\n`);
      process.exit(2);
    }
    throw e;
  }
  // an API-only node (YSK_WORKER=false) polls nothing, so it needs no simulator either
  const simulator = config.YSK_BASE_URL || !config.YSK_WORKER ? null : await startBuiltInSimulator(config);
  if (simulator) config = simulator.config;
  const app = await createApp(config);
  if (simulator)
    app
      .enableShutdownHooks()
      .getHttpServer()
      .once('close', () => void simulator.close());
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  process.stdout.write(`\nGözcü is running: http://${host}:${port}/\n`);
  if (simulator) process.stdout.write(`YSK feed: the built-in simulator (${simulator.describe}) at ${config.YSK_BASE_URL}\n`);
  process.stdout.write('\n');
}

/**
 * No YSK_BASE_URL: run the built-in YSK simulator in this process (a compressed election night,
 * SIM_* variables) and point the client at it, polling briskly since it is local.
 */
async function startBuiltInSimulator(config: AppConfig) {
  const env = { SIM_ELECTION_ID: config.YSK_ELECTION_ID, SIM_BALLOT_TYPES: config.YSK_BALLOT_TYPES.join(','), SIM_HOST: '127.0.0.1', ...process.env };
  const { describe, ...opts } = simulatorOptionsFromEnv(env);
  const sim = await startSimulator(opts);
  const overrides = loadConfig({
    ...process.env,
    YSK_BASE_URL: sim.apiUrl,
    YSK_POLL_INTERVAL_MS: process.env.YSK_POLL_INTERVAL_MS ?? '3000',
    YSK_MAX_RPS: process.env.YSK_MAX_RPS ?? '50',
    REGISTER_DEMO_SEED: process.env.REGISTER_DEMO_SEED ?? 'true',
  });
  return { config: overrides, describe, close: () => sim.close() };
}

main().catch((e) => {
  process.stderr.write(`Gözcü failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, type AppConfig } from './infra/config';

async function main(): Promise<void> {
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
  const app = await createApp(config);
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  process.stdout.write(`\nGözcü is running: http://${host}:${port}/\n\n`);
}

main().catch((e) => {
  process.stderr.write(`Gözcü failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

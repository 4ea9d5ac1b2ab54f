import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/infra/config';
import { REPO_ROOT } from '../support/paths';

// No Docker engine runs here, so the deployment is checked by reading it.
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const { mongo, redis, server } = compose.services;

describe('docker-compose.yml', () => {
  it('has MongoDB as a single-node replica set with a healthcheck that initiates it', () => {
    expect(mongo.image).toMatch(/^mongo:\d/);
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(mongo.ports).toContain('27017:27017');
    expect(mongo.healthcheck?.test.join(' ')).toContain('rs.initiate');
  });

  it('has Redis with a healthcheck', () => {
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.healthcheck?.test).toContain('ping');
  });

  it('builds the server from the Dockerfile, waits for healthy stores and wires MONGO_URL and REDIS_URL', () => {
    expect(server.build).toBe('.');
    expect(server.ports).toContain('3000:3000');
    expect(server.depends_on).toEqual({ mongo: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    const env = server.environment!;
    expect(env.MONGO_URL).toMatch(/^mongodb:\/\/mongo:27017\/\w+\?replicaSet=rs0$/);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(server.healthcheck?.test.join(' ')).toContain('/healthz');
  });

  it("server environment passes the app's own config validation", () => {
    const env = Object.fromEntries(Object.entries(server.environment!).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/, '$1')]));
    const config = loadConfig(env);
    expect(config.MONGO_URL).toBe(env.MONGO_URL);
    expect(config.PORT).toBe(3000);
  });

  it('the Dockerfile builds everything and runs the built server', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "server\/dist\/main.js"\]/);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/src/infra/config';
import { REPO_ROOT } from '../support/paths';
import { nginxBinary, nginxConfig } from '../scaleout/nginx';

// No Docker engine runs here, so the deployment is checked by reading it (and nginx checks its config).
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { mongo, redis, api, worker, nginx } = compose.services;
const nginxConf = readFileSync(join(REPO_ROOT, 'deploy', 'nginx.conf'), 'utf8');

/** The environment as compose resolves it, with the required secrets given. */
function resolved(env: Record<string, string>, given: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace(/\$\{(\w+)(:-|:\?)([^}]*)\}/g, (_m, name: string, op: string, rest: string) => {
        if (given[name] !== undefined) return given[name];
        if (op === ':?') throw new Error(`${k}: compose would refuse to start without ${name}`);
        return rest;
      }),
    ]),
  );
}
const SECRETS = { JWT_SECRET: 'j'.repeat(40), VOTER_HMAC_SECRET: 'v'.repeat(40), GOZCU_ADMIN_PASSWORD: 'a-long-password' };

describe('docker-compose.yml', () => {
  it('has MongoDB as a single-node replica set with a healthcheck that initiates it, on a volume', () => {
    expect(mongo.image).toMatch(/^mongo:\d/);
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(mongo.healthcheck?.test.join(' ')).toContain('rs.initiate');
    expect(mongo.volumes).toContain('mongo-data:/data/db');
  });

  it('has Redis with persistence (append-only file on a volume) and a healthcheck', () => {
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(redis.volumes).toContain('redis-data:/data');
    expect(redis.healthcheck?.test).toContain('ping');
  });

  it('runs API/gateway replicas (YSK_WORKER=false) and a poll worker from the Dockerfile, waiting for healthy stores', () => {
    expect(api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(1);
    for (const [svc, isWorker] of [
      [api, 'false'],
      [worker, 'true'],
    ] as const) {
      expect(svc.build).toBe('.');
      expect(svc.depends_on).toEqual({ mongo: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      const env = svc.environment!;
      expect(env.YSK_WORKER).toBe(isWorker);
      expect(env.MONGO_URL).toMatch(/^mongodb:\/\/mongo:27017\/\w+\?replicaSet=rs0$/);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(svc.healthcheck?.test.join(' ')).toContain('/healthz');
      // DATA_DIR on a volume
      expect(svc.volumes).toContain(`gozcu-data:${env.DATA_DIR}`);
    }
    // only the balancer is published
    expect(api.ports).toBeUndefined();
    expect(compose.volumes).toHaveProperty('gozcu-data');
  });

  it('takes the secrets from the environment and refuses to start without them', () => {
    for (const svc of [api, worker]) {
      for (const name of Object.keys(SECRETS)) {
        expect(svc.environment![name]).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
        const without = { ...SECRETS, [name]: undefined } as unknown as Record<string, string>;
        expect(() => resolved(svc.environment!, without)).toThrow(name);
      }
    }
  });

  it("the nodes' environment passes the app's own config validation", () => {
    const a = loadConfig(resolved(api.environment!, SECRETS));
    const w = loadConfig(resolved(worker.environment!, SECRETS));
    expect(a.YSK_WORKER).toBe(false);
    expect(w.YSK_WORKER).toBe(true);
    expect(a.MONGO_URL).toBe(w.MONGO_URL);
    expect(a.JWT_SECRET).toBe(SECRETS.JWT_SECRET);
    expect(a.TRUST_PROXY).toBeTruthy();
    expect(a.PORT).toBe(3000);
  });

  it('puts nginx in front of the API nodes, with the same balancer shape the rehearsal runs', () => {
    expect(nginx.image).toMatch(/^nginx:/);
    expect(nginx.ports).toEqual(['3000:80']);
    expect(nginx.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(nginx.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(nginx.healthcheck?.test.join(' ')).toContain('/healthz');
    const rehearsal = nginxConfig({ dir: '/tmp/x', port: 1, upstreams: [2, 3] });
    for (const directive of [
      'ip_hash;',
      'proxy_set_header Host $http_host;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'if ($arg_transport = polling) { proxy_pass http://gozcu_polling; }',
      'proxy_next_upstream error timeout http_502 http_503;',
    ]) {
      expect(nginxConf).toContain(directive);
      expect(rehearsal).toContain(directive);
    }
    expect(nginxConf).toMatch(/server api:3000/);
    // a location with proxy_set_header of its own inherits none of the server's: the socket one
    // must pass the browser's Host (the same-origin check) and the client address itself
    for (const conf of [nginxConf, rehearsal]) {
      const sockets = conf.slice(conf.indexOf('location /socket.io/'), conf.indexOf('}', conf.indexOf('location /socket.io/')));
      for (const header of ['Host $http_host;', 'X-Forwarded-For $proxy_add_x_forwarded_for;', 'X-Forwarded-Proto $scheme;', 'Upgrade $http_upgrade;'])
        expect(sockets).toContain(`proxy_set_header ${header}`);
    }
  });

  it('deploy/nginx.conf is a valid nginx configuration (nginx -t, with the service name on loopback)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gozcu-nginx-t-'));
    try {
      const conf = join(dir, 'nginx.conf');
      writeFileSync(
        conf,
        `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\n${nginxConf
          .replace(/server api:3000/g, 'server 127.0.0.1:3000')
          .replace('listen 80;', 'listen 127.0.0.1:1;')
          .replace(
            'http {',
            `http {\n  client_body_temp_path ${dir}/b; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s; access_log off;`,
          )}`,
      );
      const out = execFileSync(nginxBinary(), ['-t', '-p', dir, '-c', conf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Dockerfile builds everything and runs the built server as node, DATA_DIR owned by node on a volume', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/CMD \["node", "server\/dist\/main.js"\]/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/ENV [^\n]*DATA_DIR=\/data/);
    expect(runtime).toMatch(/RUN mkdir -p \/data && chown node:node \/data/);
    expect(runtime).toMatch(/VOLUME \["\/data"\]/);
    expect(runtime.indexOf('chown node:node /data')).toBeLessThan(runtime.indexOf('USER node'));
  });
});

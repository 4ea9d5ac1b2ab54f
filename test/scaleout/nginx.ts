import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** nginx from PATH or Debian's /usr/sbin. */
export function nginxBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    const file = join(dir, 'nginx');
    if (dir && existsSync(file)) return file;
  }
  throw new Error('the scale-out rehearsal needs nginx: ./scripts/setup.sh installs it (apt-get install nginx)');
}

/**
 * The balancer of the scale-out shape (the same as deploy/nginx.conf): API/gateway nodes
 * round-robin for the API and the websocket transport (a websocket stays on its node; a node
 * that does not answer is skipped), `ip_hash` stickiness for Socket.IO's polling transport,
 * X-Forwarded-For for the nodes' TRUST_PROXY.
 */
export function nginxConfig(opts: { dir: string; port: number; upstreams: number[] }): string {
  const servers = opts.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  return `worker_processes 1;
pid ${opts.dir}/nginx.pid;
error_log ${opts.dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${opts.dir}/body;
  proxy_temp_path ${opts.dir}/proxy;
  fastcgi_temp_path ${opts.dir}/fastcgi;
  uwsgi_temp_path ${opts.dir}/uwsgi;
  scgi_temp_path ${opts.dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream gozcu_api {
${servers}
  }
  upstream gozcu_polling {
    ip_hash;
${servers}
  }
  server {
    listen 127.0.0.1:${opts.port};
    client_max_body_size 12m;
    proxy_http_version 1.1;
    # the Host the browser sent, port included: the Socket.IO same-origin check compares it with Origin
    # (every location that sets a header of its own must repeat these: nginx inherits none then)
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 2s;
    proxy_next_upstream error timeout http_502 http_503;
    location /socket.io/ {
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      if ($arg_transport = polling) { proxy_pass http://gozcu_polling; }
      proxy_pass http://gozcu_api;
    }
    location / { proxy_pass http://gozcu_api; }
  }
}
`;
}

export interface RunningNginx {
  url: string;
  stop(): Promise<void>;
}

export async function startNginx(opts: { dir: string; port: number; upstreams: number[] }): Promise<RunningNginx> {
  mkdirSync(opts.dir, { recursive: true });
  const conf = join(opts.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(opts));
  const proc: ChildProcess = spawn(nginxBinary(), ['-p', opts.dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}: ${err}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(opts.port, '127.0.0.1');
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => (s.destroy(), resolve(false)));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${opts.port}: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGQUIT');
      }),
  };
}

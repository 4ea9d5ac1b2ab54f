/* Real receivers for alert deliveries: an HTTP webhook server, an SMTP server, a Web Push endpoint. */
import { execFileSync } from 'node:child_process';
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ece = require('http_ece') as { decrypt(buffer: Buffer, params: { version: string; privateKey: ECDH; authSecret: Buffer }): Buffer };

export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function listen(server: Server, onRequest: (r: Received) => number): Promise<{ port: number; close(): Promise<void> }> {
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = onRequest({ at: Date.now(), path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      }),
    ),
  );
}

/** An HTTP server that records every request; `status` decides the answer. */
export async function webhookReceiver(status: (r: Received) => number = () => 200) {
  const received: Received[] = [];
  const srv = await listen(createServer(), (r) => {
    received.push(r);
    return status(r);
  });
  return { url: `http://127.0.0.1:${srv.port}/hook`, received, close: srv.close };
}

/** A real SMTP server (smtp-server) on loopback; every message parsed by mailparser. */
export async function smtpReceiver() {
  const mails: (ParsedMail & { envelopeTo: string[] })[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream)
        .then((m) => {
          mails.push(Object.assign(m, { envelopeTo: session.envelope.rcptTo.map((r) => r.address) }));
          done();
        })
        .catch(done);
    },
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((done) => server.close(() => done())) };
}

const b64u = (b: Buffer) => b.toString('base64url');

/** A browser's side of a push subscription: its ECDH key pair and auth secret. */
export function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
}

export interface VapidCheck {
  aud: string;
  sub: string;
  exp: number;
  k: string;
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>`: an ES256 JWT signed by k, for this origin. Throws when it is not. */
export function verifyVapid(header: string | undefined, origin: string): VapidCheck {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw new Error(`no vapid authorization header: ${header}`);
  const [, jwt, k] = m;
  const [h, p, s] = jwt.split('.');
  const head = JSON.parse(Buffer.from(h, 'base64url').toString());
  if (head.alg !== 'ES256') throw new Error(`alg ${head.alg}`);
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('the VAPID JWT signature does not verify with k');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as VapidCheck;
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  if (!(claims.exp * 1000 > Date.now())) throw new Error('the VAPID JWT has expired');
  return { ...claims, k };
}

/**
 * A push service of our own on loopback HTTPS (self-signed, the certificate handed to the server
 * with ALERT_PUSH_CA_FILE): it records each push request; `decrypt` opens one with the browser's keys.
 */
export async function pushService() {
  const dir = mkdtempSync(join(tmpdir(), 'gozcu-push-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const received: Received[] = [];
  const srv = await listen(createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }) as unknown as Server, (r) => {
    received.push(r);
    return r.path.includes('gone') ? 410 : 201;
  });
  const origin = `https://127.0.0.1:${srv.port}`;
  return {
    origin,
    caFile: certFile,
    endpoint: (name: string) => `${origin}/push/${name}`,
    received,
    decrypt: (r: Received, browser: ReturnType<typeof browserKeys>) => {
      if (r.headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${r.headers['content-encoding']}`);
      return JSON.parse(ece.decrypt(r.body, { version: 'aes128gcm', privateKey: browser.ecdh, authSecret: browser.auth }).toString('utf8'));
    },
    close: srv.close,
  };
}

/** Waits (bounded, polling) until the condition holds. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

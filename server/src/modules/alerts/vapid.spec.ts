import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookSignature } from './deliveries';
import { secretFilesIn } from '../../infra/secret-file';
import { loadVapidKeys } from './vapid';

describe('VAPID keys', () => {
  it('are generated once into DATA_DIR (mode 600) and read back on the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gozcu-vapid-'));
    try {
      const first = loadVapidKeys({}, secretFilesIn(dir));
      expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
      expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32);
      expect(statSync(join(dir, 'vapid.json')).mode & 0o777).toBe(0o600);
      expect(loadVapidKeys({}, secretFilesIn(dir))).toEqual(first);
      expect(JSON.parse(readFileSync(join(dir, 'vapid.json'), 'utf8'))).toEqual(first);
      expect(loadVapidKeys({ VAPID_PUBLIC_KEY: 'P'.repeat(87), VAPID_PRIVATE_KEY: 'k'.repeat(43) }, secretFilesIn(dir))).toEqual({
        publicKey: 'P'.repeat(87),
        privateKey: 'k'.repeat(43),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a node that loses the race to create vapid.json (nodes sharing DATA_DIR start together) takes the pair that won, never overwrites it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gozcu-vapid-'));
    // this node looked before the winner wrote: it saw no file and generated a pair of its own
    const late = { ...secretFilesIn(dir), read: () => null };
    try {
      const winner = loadVapidKeys({}, secretFilesIn(dir));
      expect(loadVapidKeys({}, late)).toEqual(winner);
      expect(JSON.parse(readFileSync(join(dir, 'vapid.json'), 'utf8'))).toEqual(winner);
      expect(readdirSync(dir)).toEqual(['vapid.json']);
      // a file without a pair is refused rather than replaced
      writeFileSync(join(dir, 'vapid.json'), '{}');
      expect(() => loadVapidKeys({}, late)).toThrow(`${join(dir, 'vapid.json')} exists but holds no VAPID key pair`);
      expect(() => loadVapidKeys({}, secretFilesIn(dir))).toThrow('holds no VAPID key pair');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256 of the raw body>', () => {
    const body = '{"id":"a","title":"Sandık girilmedi"}';
    expect(webhookSignature('secret-0123456789', body)).toBe(`sha256=${createHmac('sha256', 'secret-0123456789').update(body, 'utf8').digest('hex')}`);
    expect(webhookSignature('secret-0123456789', body)).not.toBe(webhookSignature('secret-0123456789', `${body} `));
  });
});

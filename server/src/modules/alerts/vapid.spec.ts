import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookSignature } from './deliveries';
import { loadVapidKeys } from './vapid';

describe('VAPID keys', () => {
  it('are generated once into DATA_DIR (mode 600) and read back on the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gozcu-vapid-'));
    try {
      const first = loadVapidKeys({ DATA_DIR: dir });
      expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
      expect(Buffer.from(first.privateKey, 'base64url')).toHaveLength(32);
      expect(statSync(join(dir, 'vapid.json')).mode & 0o777).toBe(0o600);
      expect(loadVapidKeys({ DATA_DIR: dir })).toEqual(first);
      expect(JSON.parse(readFileSync(join(dir, 'vapid.json'), 'utf8'))).toEqual(first);
      expect(loadVapidKeys({ DATA_DIR: dir, VAPID_PUBLIC_KEY: 'P'.repeat(87), VAPID_PRIVATE_KEY: 'k'.repeat(43) })).toEqual({
        publicKey: 'P'.repeat(87),
        privateKey: 'k'.repeat(43),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a node that loses the race to create vapid.json (nodes sharing DATA_DIR start together) takes the pair that won, never overwrites it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gozcu-vapid-'));
    const seen = jest.spyOn(fs, 'existsSync');
    try {
      const winner = loadVapidKeys({ DATA_DIR: dir });
      // this node looked before the winner wrote: it saw no file and generated a pair of its own
      seen.mockReturnValueOnce(false);
      expect(loadVapidKeys({ DATA_DIR: dir })).toEqual(winner);
      expect(JSON.parse(readFileSync(join(dir, 'vapid.json'), 'utf8'))).toEqual(winner);
      expect(readdirSync(dir)).toEqual(['vapid.json']);
      // a file without a pair is refused rather than replaced
      writeFileSync(join(dir, 'vapid.json'), '{}');
      seen.mockReturnValueOnce(false);
      expect(() => loadVapidKeys({ DATA_DIR: dir })).toThrow('holds no VAPID key pair');
    } finally {
      seen.mockRestore();
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

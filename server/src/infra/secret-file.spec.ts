import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJwtSecret } from '../modules/auth/jwt-secret';
import { loadVoterSecret } from '../modules/citizen/voter-secret';
import { keptSecret, secretFilesIn, type SecretFiles } from './secret-file';

/** Secret files in memory; `late` names a file another node creates between this node's read and its create. */
function memoryFiles(late: Record<string, string> = {}): SecretFiles & { held: Map<string, string> } {
  const held = new Map<string, string>();
  return {
    held,
    where: (name) => `mem:${name}`,
    read: (name) => held.get(name) ?? null,
    create: (name, text) => {
      if (name in late && !held.has(name)) held.set(name, late[name]!);
      if (!held.has(name)) held.set(name, text);
      return held.get(name)!;
    },
  };
}

describe('secret files in DATA_DIR', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gozcu-secret-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('are read back as written, owner-only (600), in a directory made (700) when missing, created once', () => {
    const dir = join(root, 'data');
    const files = secretFilesIn(dir);
    expect(files.read('k')).toBeNull();
    expect(files.create('k', 'one\n')).toBe('one\n');
    expect(files.read('k')).toBe('one\n');
    expect(statSync(join(dir, 'k')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // created once: a second writer (another node on the same DATA_DIR) gets what the first wrote
    expect(secretFilesIn(dir).create('k', 'two\n')).toBe('one\n');
    expect(readFileSync(join(dir, 'k'), 'utf8')).toBe('one\n');
    expect(readdirSync(dir)).toEqual(['k']);
    expect(files.where('k')).toBe(join(dir, 'k'));
  });

  it('keep the JWT key and the voter HMAC key across starts; a given one wins; a damaged held one is refused', () => {
    const files = secretFilesIn(root);
    const jwt = loadJwtSecret({}, files);
    expect(jwt.length).toBeGreaterThanOrEqual(32);
    expect(loadJwtSecret({}, secretFilesIn(root))).toBe(jwt);
    expect(readFileSync(join(root, 'jwt-secret'), 'utf8')).toBe(`${jwt}\n`);
    expect(loadJwtSecret({ JWT_SECRET: 'given' }, files)).toBe('given');

    const voter = loadVoterSecret({}, files);
    expect(loadVoterSecret({}, secretFilesIn(root)).equals(voter)).toBe(true);
    expect(voter.equals(Buffer.from(jwt))).toBe(false);
    expect(statSync(join(root, 'voter-hmac-secret')).mode & 0o777).toBe(0o600);

    // a damaged key is refused, not silently replaced (that would sign everyone out, and a new
    // voter key would orphan every stored register hash)
    writeFileSync(join(root, 'jwt-secret'), 'short\n');
    expect(() => loadJwtSecret({}, files)).toThrow(`${join(root, 'jwt-secret')} holds no usable secret: remove it or set JWT_SECRET`);
    writeFileSync(join(root, 'voter-hmac-secret'), '\n');
    expect(() => loadVoterSecret({}, files)).toThrow('holds no usable secret: remove it or set VOTER_HMAC_SECRET');
  });

  it('a node that loses the race to create a key (nodes sharing DATA_DIR start together) takes the key that won', () => {
    const winner = 'w'.repeat(64);
    const files = memoryFiles({ k: `${winner}\n` });
    const o = { name: 'k', setting: 'K_SECRET', given: undefined, shared: false, logger: 'test' };
    expect(keptSecret(files, o)).toBe(winner);
    expect(files.held.get('k')).toBe(`${winner}\n`);
    // and one that won keeps its own, generated: 48 random bytes in base64url
    const alone = memoryFiles();
    const own = keptSecret(alone, o);
    expect(own).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(keptSecret(alone, o)).toBe(own);
    expect(keptSecret(memoryFiles(), o)).not.toBe(own);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJwtSecret } from '../modules/auth/jwt-secret';
import { loadVoterSecret } from '../modules/citizen/voter-secret';
import { readSecretFile, writeSecretFile } from './secret-file';

describe('secret files in DATA_DIR', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gozcu-secret-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('are read back as written, owner-only (600), in a directory made when missing, created once', () => {
    const dir = join(root, 'data');
    expect(readSecretFile(dir, 'k')).toBeNull();
    writeSecretFile(dir, 'k', 'one\n', 0o700);
    expect(readSecretFile(dir, 'k')).toBe('one\n');
    expect(statSync(join(dir, 'k')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // created once: a second writer (another node on the same DATA_DIR) gets what the first wrote
    expect(writeSecretFile(dir, 'k', 'two\n')).toBe('one\n');
    expect(readFileSync(join(dir, 'k'), 'utf8')).toBe('one\n');
    expect(readdirSync(dir)).toEqual(['k']);
  });

  it('keep the JWT key and the voter HMAC key across starts; a given one wins; a damaged held one is refused', () => {
    const jwt = loadJwtSecret({ DATA_DIR: root });
    expect(jwt.length).toBeGreaterThanOrEqual(32);
    expect(loadJwtSecret({ DATA_DIR: root })).toBe(jwt);
    expect(readFileSync(join(root, 'jwt-secret'), 'utf8')).toBe(`${jwt}\n`);
    expect(loadJwtSecret({ DATA_DIR: root, JWT_SECRET: 'given' })).toBe('given');

    const voter = loadVoterSecret({ DATA_DIR: root });
    expect(loadVoterSecret({ DATA_DIR: root }).equals(voter)).toBe(true);
    expect(statSync(join(root, 'voter-hmac-secret')).mode & 0o777).toBe(0o600);

    // a damaged key is refused, not silently replaced (that would sign everyone out, and a new
    // voter key would orphan every stored register hash)
    writeFileSync(join(root, 'jwt-secret'), 'short\n');
    expect(() => loadJwtSecret({ DATA_DIR: root })).toThrow('holds no usable secret');
    writeFileSync(join(root, 'voter-hmac-secret'), '\n');
    expect(() => loadVoterSecret({ DATA_DIR: root })).toThrow('holds no usable secret');
  });
});

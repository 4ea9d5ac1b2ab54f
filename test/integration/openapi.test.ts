import { METHODS } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';
import { startApp, type RunningApp } from '../support/app';
import { ADMIN_PASSWORD, login, type Session } from '../support/auth';
import { STORE, type GeographyRepository } from '../../server/src/modules/store/store.port';

/** Parsed JSON read freely in assertions (as the support helpers' bodies are). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
interface Route {
  method: string;
  path: string;
}

/** The routes Express actually holds (Nest registers every handler there), as `METHOD /path/{param}`. */
function registeredRoutes(running: RunningApp): Route[] {
  const express = running.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] };
  };
  const out: Route[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    // a route on every method is `router.all`: Nest mounts middleware so (the request logger on `/{*path}`); a controller's
    // @All would not get here, the document refuses it (OpenAPI has no "any method" operation)
    if (METHODS.every((m) => layer.route?.methods[m.toLowerCase()])) continue;
    for (const path of Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push({ method, path: path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
      }
    }
  }
  return out;
}

/** Registered routes the document does not list (method and path). */
function undocumented(routes: Route[], doc: Json): string[] {
  return routes.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

describe('GET /api/openapi.json: one document of every contract (issue 14)', () => {
  let app: RunningApp;
  let admin: Session;
  let doc: Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

  beforeAll(async () => {
    app = await startApp({ YSK_ELECTION_ID: 'openapi-test', YSK_BALLOT_TYPES: '2', GOZCU_ADMIN_PASSWORD: ADMIN_PASSWORD });
    admin = await login(app.url, 'admin', ADMIN_PASSWORD);
    // no token: the document describes the API, it holds no data
    const res = await fetch(`${app.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Json;
  });
  afterAll(() => app.close());

  const operation = (method: string, path: string): Json => {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
    return op;
  };
  const bodySchema = (method: string, path: string) => ajv.compile(operation(method, path).requestBody.content['application/json'].schema);

  it('is an OpenAPI 3.1 document whose schemas compile', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Gözcü API' });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item)) {
        const label = `${method.toUpperCase()} ${path}`;
        expect([label, HTTP_METHODS.includes(method)]).toEqual([label, true]);
        for (const p of op.parameters ?? []) ajv.compile(p.schema);
        const json = op.requestBody?.content?.['application/json']?.schema;
        if (json) ajv.compile(json);
      }
    }
  });

  it('lists every route Nest registered, with its method and path, and no other', () => {
    const routes = registeredRoutes(app);
    // the app has 80-odd routes; an empty router stack would make this test say nothing
    expect(routes.length).toBeGreaterThan(50);
    expect(undocumented(routes, doc)).toEqual([]);
    const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const registered = new Set(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect(documented.filter((d) => !registered.has(d))).toEqual([]);
    expect(documented).toHaveLength(registered.size);
  });

  it('turns red for a route nobody documented', () => {
    const before = registeredRoutes(app).length;
    // a route added beside Nest's own: the comparison above has to name it
    const express = app.app.getHttpAdapter().getInstance() as { get(path: string, handler: (req: unknown, res: { end(): void }) => void): void };
    express.get('/api/undocumented/:id', (_req, res) => res.end());
    const routes = registeredRoutes(app);
    expect(routes).toHaveLength(before + 1);
    expect(undocumented(routes, doc)).toEqual(['GET /api/undocumented/{id}']);
  });

  it('gives path parameters in {param} form, bearer auth, permissions and the error responses', () => {
    const confirm = operation('post', '/api/boxes/{key}/confirm');
    expect(confirm.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'key', in: 'path', required: true })]));
    expect(confirm.security).toEqual([{ bearer: [] }]);
    expect(confirm['x-permissions']).toEqual(['entries:confirm']);
    expect(Object.keys(confirm.responses).sort()).toEqual(['200', '400', '401', '403']);
    expect(confirm.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['entryId'] });

    const entries = operation('post', '/api/entries');
    expect(Object.keys(entries.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
    expect(doc.components.responses.BadRequest.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiError' });
    expect(doc.components.schemas.ApiError).toMatchObject({ type: 'object', required: ['statusCode', 'error', 'message'] });

    // public routes need no token and answer no 401/403
    const loginOp = operation('post', '/api/auth/login');
    expect(loginOp.security).toEqual([]);
    expect(loginOp.responses['401']).toBeUndefined();
    expect(operation('get', '/api/openapi.json').security).toEqual([]);
    expect(operation('get', '/healthz').security).toEqual([]);
    // /metrics is public while METRICS_PUBLIC is true (the default), as the guard reads it
    expect(app.config.METRICS_PUBLIC).toBe(true);
    expect(operation('get', '/metrics').security).toEqual([]);

    // a validated query is a list of query parameters; a rate-limited route answers 429
    const boxes = operation('get', '/api/boxes');
    expect(boxes.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['province', 'district', 'limit']));
    expect(boxes.parameters.every((p: Json) => p.in === 'query')).toBe(true);
    expect(operation('get', '/api/citizen/complaints/{code}').responses['429']).toBeDefined();
    // every query parameter says what it takes: none is read unvalidated
    const untyped = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query' && !Object.keys(p.schema ?? {}).length).map((p) => `${method} ${path} ?${p.name}`),
      ),
    );
    expect(untyped).toEqual([]);

    // bodies without a zod schema still say what they take
    expect(Object.keys(operation('post', '/api/entries/import').requestBody.content)).toEqual(['text/csv']);
    const upload = operation('post', '/api/boxes/{key}/sheet-photos').requestBody.content['multipart/form-data'].schema;
    expect(Object.keys(upload.properties).sort()).toEqual(['entryId', 'photo']);
  });

  it('every JSON answer has its response schema, and the live answer matches it', async () => {
    // a route answers JSON unless it says another type (CSV, PDF, metrics text, a stream) or 204
    const undeclared = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses as Record<string, Json>)
          .filter(([status, r]) => /^2/.test(status) && status !== '204' && !r.content?.['application/json']?.schema && !Object.keys(r.content ?? {}).length)
          .map(() => `${method.toUpperCase()} ${path}`),
      ),
    );
    expect(undeclared).toEqual([]);
    // the document's schema of an answer validates what the route really answers
    const districts = ajv.compile(operation('get', '/api/districts').responses['200'].content['application/json'].schema);
    await app.app.get<symbol, GeographyRepository>(STORE).upsertDistricts([{ yskId: 681, province: 69, name: 'Merkez' }]);
    const res = await admin.get('/api/districts');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(districts(res.body)).toBe(true);
    expect(districts({ items: [{ id: 1, name: 'x' }] })).toBe(false);
    // the feed's health (here an API node with the feed off: no worker has reported)
    const feedHealth = ajv.compile(operation('get', '/api/feed/health').responses['200'].content['application/json'].schema);
    const health = await admin.get('/api/feed/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ enabled: false, overall: 'failing', rule: 'no_worker_report', totals: null, '1m': null, reportedBy: null });
    expect(feedHealth(health.body)).toBe(true);
    expect(feedHealth({ ...health.body, incidents: [] })).toBe(false);
  });

  it('the file downloads say their content types; a citizen answer validates against its document schema', async () => {
    expect(Object.keys(operation('get', '/api/petitions/{id}/pdf').responses['200'].content)).toEqual(['application/pdf']);
    expect(Object.keys(operation('get', '/api/attachments/{id}').responses['200'].content).sort()).toEqual([
      'application/pdf',
      'image/jpeg',
      'image/png',
      'image/webp',
    ]);
    const counts = ajv.compile(operation('get', '/api/complaints/counts').responses['200'].content['application/json'].schema);
    const res = await admin.get('/api/complaints/counts');
    expect(res.status).toBe(200);
    expect(counts(res.body)).toBe(true);
    // every status is counted: an answer missing one is not the contract
    const { new: _new, ...fewer } = res.body.byStatus as Record<string, number>;
    void _new;
    expect(counts({ ...res.body, byStatus: fewer })).toBe(false);
  });

  it('POST /api/entries: the documented body schema rejects what the route rejects, and takes what it takes', async () => {
    const validate = bodySchema('post', '/api/entries');
    const sheet = { registered: 300, voted: 185, validUncontested: 180, validAfterObjection: 0, valid: 180, invalid: 5, votes: { 'AK PARTİ': 100, CHP: 80 } };
    const good = { ref: { ballot: 2, province: 69, district: 681, boxNo: 1001 }, sheet, idempotencyKey: 'openapi-test-0001' };
    const bad: [string, unknown][] = [
      ['no body fields', {}],
      ['no sheet', { ref: good.ref, idempotencyKey: 'openapi-test-0002' }],
      ['a short idempotency key', { ...good, idempotencyKey: 'short' }],
      ['a negative registered count', { ...good, sheet: { ...sheet, registered: -3 } }],
      ['a box number that is not a number', { ...good, ref: { ...good.ref, boxNo: 'x' } }],
      ['a fractional vote count', { ...good, sheet: { ...sheet, votes: { CHP: 1.5 } } }],
      ['an election id with a colon', { ...good, ref: { ...good.ref, election: 'a:b' } }],
      ['a district beyond any YSK id', { ...good, ref: { ...good.ref, district: 10_000_000 } }],
      ['a ballot type YSK does not have', { ...good, ref: { ...good.ref, ballot: 5 } }],
      ['a province plate beyond 81 (99 is abroad)', { ...good, ref: { ...good.ref, province: 82 } }],
    ];
    for (const [label, body] of bad) {
      const res = await admin.post('/api/entries', body);
      expect([label, res.status, res.body.code]).toEqual([label, 400, 'validation']);
      expect([label, validate(body)]).toEqual([label, false]);
    }
    expect(validate(good)).toBe(true);
    const res = await admin.post('/api/entries', good);
    expect(res.status).toBe(201);
  });

  it('POST /api/auth/login and GET /api/boxes: body and query schemas agree with the route', async () => {
    const validate = bodySchema('post', '/api/auth/login');
    for (const body of [{}, { username: 'admin' }, { username: 42, password: ADMIN_PASSWORD }, { username: 'admin', password: '' }]) {
      const res = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect([body, res.status]).toEqual([body, 400]);
      expect([body, validate(body)]).toEqual([body, false]);
    }
    expect(validate({ username: 'admin', password: ADMIN_PASSWORD })).toBe(true);

    const limit = (operation('get', '/api/boxes').parameters as Json[]).find((p) => p.name === 'limit')!;
    const validLimit = ajv.compile(limit.schema);
    for (const value of [0, -1, 1.5]) {
      const res = await admin.get(`/api/boxes?limit=${value}`);
      expect([value, res.status]).toEqual([value, 400]);
      expect([value, validLimit(value)]).toEqual([value, false]);
    }
    expect(validLimit(10)).toBe(true);
    expect((await admin.get('/api/boxes?limit=10')).status).toBe(200);
  });

  it('every route answers 400 when what the document marks required is missing (JSON bodies and queries)', async () => {
    const checked: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item as Record<string, Json>)) {
        // a path parameter every route's own pipe takes (numeric ids included), so the body or query is what fails
        const url = path.replace(/\{[^}]+\}/g, '1');
        const json = op.requestBody?.content?.['application/json']?.schema;
        const requiredQuery = (op.parameters ?? []).filter((p: Json) => p.in === 'query' && p.required);
        let res: { status: number; body: Json } | undefined;
        if (json?.required?.length) {
          // an empty object: the document says it lacks fields, so the route must refuse it before doing anything
          expect([path, ajv.compile(json)({})]).toEqual([path, false]);
          res = await admin.post(url, {}, method.toUpperCase());
        } else if (requiredQuery.length && method === 'get') {
          res = await admin.get(url);
        }
        if (!res) continue;
        expect([`${method.toUpperCase()} ${path}`, res.status, res.body?.code]).toEqual([`${method.toUpperCase()} ${path}`, 400, 'validation']);
        checked.push(`${method.toUpperCase()} ${path}`);
      }
    }
    // 25 routes today (every JSON body with a required field, every GET with a required query parameter)
    expect(checked.length).toBeGreaterThanOrEqual(20);
    expect(checked).toEqual(expect.arrayContaining(['POST /api/entries', 'POST /api/auth/login', 'GET /api/people/names', 'GET /api/citizen/boxes']));
  });

  it('GET /api/docs: a self-contained page (Turkish first) that reads the document', async () => {
    const page = await fetch(`${app.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<html lang="tr">');
    expect(html).toContain('API belgeleri / API documentation');
    expect(html).toContain('<script src="/api/docs/docs.js"></script>');
    // nothing from elsewhere: no CDN, no external script or style
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await fetch(`${app.url}/api/docs/docs.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await script.text();
    expect(js).toContain("fetch('/api/openapi.json')");
    expect(() => new Function(js)).not.toThrow();
  });
});

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { formatYskTime, isBallotCode, isYskEndpoint, parseQuery, type BallotCode, type YskEndpoint, type YskRecord } from '@gozcu/shared';
import type { SimClock } from './clock';
import { SimEngine, type BoxScope } from './engine';
import { drift, FaultBook, faultRequestSchema, type FaultSpec } from './faults';
import { Replay } from './replay';
import { specialBody } from './special-api';
import type { SimWorld } from './world';

export interface SimulatorOptions {
  clock: SimClock;
  /** Generated or real-data world; omit when replaying. */
  world?: SimWorld;
  /** Replay a recording instead: the clock runs over the recording's time line. */
  replay?: YskRecord[];
  faults?: FaultSpec[];
  /** Base reply latency in ms (latency faults multiply it; at least 10 ms is used for them). */
  latencyMs?: number;
  /** Send ETag/Last-Modified and answer conditional requests with 304 (default true; the real server may not). */
  etag?: boolean;
  /** Answer 429 with Retry-After above this many YSK calls in any second (wall clock); 0 or unset = no limit. */
  maxRps?: number;
  /** Compress answers with gzip when the client accepts it (default false; whether the real server does is not known). */
  gzip?: boolean;
  host?: string;
  port?: number;
}

export interface RunningSimulator {
  url: string;
  /** `${url}/api` — the base URL a YSK client takes. */
  apiUrl: string;
  server: Server;
  clock: SimClock;
  engine: SimEngine | null;
  faults: FaultBook;
  /** YSK calls answered so far: all of them, those refused with 429 by the rate limit, and body bytes sent. */
  traffic: SimTraffic;
  close(): Promise<void>;
}

export interface SimTraffic {
  requests: number;
  throttled: number;
  notModified: number;
  /** body bytes on the wire (compressed when gzip is on) */
  bytes: number;
  /** body bytes before compression */
  decodedBytes: number;
}

/** Calls in the last second, for the simulator's rate limit (a sliding one-second window). */
class SlidingWindow {
  private readonly times: number[] = [];
  private head = 0;
  constructor(private readonly max: number) {}
  /** Records a call at `now` unless `max` calls already fall in the last second; answers whether it was let through. */
  admit(now: number): boolean {
    while (this.head < this.times.length && this.times[this.head]! <= now - 1000) this.head++;
    if (this.head > 4096) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= this.max) return false;
    this.times.push(now);
    return true;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

const int = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);

export function createReplayStart(records: readonly YskRecord[]): number {
  return new Replay(records).start;
}

/** Starts the YSK simulator on node:http (port 0 = any free port). */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  if (!opts.world && !opts.replay) throw new Error('the simulator needs a world or a recording to replay');
  const clock = opts.clock;
  const engine = opts.world ? new SimEngine(opts.world, clock) : null;
  const replay = opts.replay ? new Replay(opts.replay) : null;
  const faults = new FaultBook();
  const hung = new Set<ServerResponse>();
  const etags = opts.etag !== false;
  const limit = opts.maxRps && opts.maxRps > 0 ? new SlidingWindow(opts.maxRps) : null;
  const traffic: SimTraffic = { requests: 0, throttled: 0, notModified: 0, bytes: 0, decodedBytes: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const addFault = (spec: FaultSpec) => {
    const now = clock.now();
    if (spec.kind === 'pause') {
      if (!engine) throw new HttpError(400, 'pause needs a generated world');
      const from = spec.from ? Date.parse(spec.from) : now;
      const until = spec.until ? Date.parse(spec.until) : from + (spec.durationMs ?? 0);
      return { kind: 'pause', ...engine.addPause(from, until) };
    }
    return faults.add(spec, now);
  };
  for (const f of opts.faults ?? []) addFault(f);

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function yskBody(endpoint: YskEndpoint, p: Record<string, string>, now: number, testData: boolean): { rows: unknown[]; lastModified: number } {
    const e = engine!;
    const world = e.world;
    const lists = world.nightStart - 86_400_000;
    if (p['secimId'] !== world.electionId) return { rows: [], lastModified: lists };
    const domestic = p['yurtIciDisi'] === '' || p['yurtIciDisi'] === '1';
    const ordinary = ['', '0', '-1'].includes(p['sandikTuru'] ?? '');
    const ballotNo = int(p['secimTuru']);
    if (ballotNo === undefined || !isBallotCode(ballotNo)) return { rows: [], lastModified: lists };
    // prison, customs and abroad boxes (special-api.ts)
    if (!domestic || !ordinary) return specialBody(e, endpoint, p, ballotNo, now, testData, lists);
    const ballot: BallotCode = ballotNo;
    const plate = int(p['ilId']);
    const districtId = int(p['ilceId']);
    switch (endpoint) {
      case 'getIlList':
        return {
          rows: world.provinces
            .filter((pr) => world.ballotsOf(pr.plate).includes(ballot))
            .map((pr) => ({
              il_ID: pr.plate,
              il_ADI: pr.name,
              secim_CEVRESI_ID: pr.plate,
              secim_DETAY_ID: ballot * 100 + pr.plate,
              secilecek_ADAY_SAYISI: 1,
              yerlesim_YERI_TURU: pr.metropolitan ? 1 : 2,
              id: pr.plate,
            })),
          lastModified: lists,
        };
      case 'getIlceList': {
        if (plate === undefined || !world.ballotsOf(plate).includes(ballot)) return { rows: [], lastModified: lists };
        const name = world.provinces.find((pr) => pr.plate === plate)!.name;
        return {
          rows: world.districtsOf(plate).map((d) => ({
            ilce_ID: d.id,
            ilce_ADI: d.name,
            belde_ID: null,
            birim_ID: d.id,
            il_ID: plate,
            il_ADI: name,
            secim_CEVRESI_ID: plate,
            secim_DETAY_ID: ballot * 100 + plate,
            toplam_SANDIK_SAYISI: d.boxNos.length,
          })),
          lastModified: lists,
        };
      }
      case 'getMuhtarlikList': {
        const d = districtId !== undefined ? world.district(districtId) : undefined;
        if (!d || !world.ballotsOf(d.plate).includes(ballot)) return { rows: [], lastModified: lists };
        return {
          rows: d.neighbourhoods.map((h) => ({
            muhtarlik_ID: h.id,
            muhtarlik_ADI: h.name,
            min_SANDIK_NO: String(h.minBox),
            max_SANDIK_NO: String(h.maxBox),
            ilce_ID: d.id,
            il_ID: d.plate,
            belde_ID: null,
            birim_ID: d.id,
          })),
          lastModified: lists,
        };
      }
      case 'getSandikSecimSonucBaslikList':
        if (plate === undefined) return { rows: [], lastModified: lists };
        return { rows: world.columnMap(ballot, plate, p['bagimsiz'] !== '0'), lastModified: lists };
      case 'getSecimSandikSonucList':
      case 'getSecimSonucList': {
        if (endpoint === 'getSecimSandikSonucList' && (p['sorguTuru'] !== '' || (plate === undefined && districtId === undefined))) {
          return { rows: [], lastModified: lists };
        }
        const scope: BoxScope = {
          plate,
          district: districtId,
          neighbourhood: int(p['muhtarlikId']),
          boxNoFrom: int(p['sandikNoIlk']),
          boxNoTo: int(p['sandikNoSon']),
          sandikId: int(p['sandikId']),
        };
        const rows = endpoint === 'getSecimSonucList' ? e.summaryRows(ballot, scope, now) : e.resultRows(ballot, scope, now, testData);
        let lastModified = lists;
        for (const r of rows as Record<string, unknown>[]) {
          const t = typeof r['son_ISLEM_TARIHI'] === 'string' ? Date.parse((r['son_ISLEM_TARIHI'] as string).replace('+0000', 'Z')) : NaN;
          if (t > lastModified) lastModified = t;
        }
        if (endpoint === 'getSecimSonucList') lastModified = now;
        return { rows, lastModified };
      }
    }
  }

  async function api(endpoint: YskEndpoint, query: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { params, missing } = parseQuery(endpoint, query);
    if (missing.length) throw new HttpError(400, `${endpoint}: missing parameters ${missing.join(', ')} (send every one, empty as name=)`);
    traffic.requests++;
    if (limit && !limit.admit(Date.now())) {
      // the real server throttles exactly when results arrive: 429 and come back in a second
      traffic.throttled++;
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
      res.end('Too Many Requests');
      return;
    }
    const now = clock.now();
    const hit = faults.take(endpoint, now);
    if (hit.latency) await delay(Math.max(opts.latencyMs ?? 0, 10) * (hit.latency.factor ?? 20));
    else if (opts.latencyMs) await delay(opts.latencyMs);
    const f = hit.fault;
    if (f?.kind === 'timeout') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (f?.kind === 'http5xx') {
      const body = `<html><body><h1>${f.status ?? 500} Internal Server Error</h1></body></html>`;
      res.writeHead(f.status ?? 500, { 'content-type': 'text/html' });
      res.end(body);
      return;
    }
    if (f?.kind === 'http429' || f?.kind === 'http503') {
      const seconds = f.retryAfter ?? 5;
      const retryAfter = f.retryAfterDate ? new Date(Date.now() + seconds * 1000).toUTCString() : String(Math.round(seconds));
      res.writeHead(f.kind === 'http429' ? 429 : 503, { 'content-type': 'text/plain', 'retry-after': retryAfter });
      res.end(f.kind === 'http429' ? 'Too Many Requests' : 'Service Unavailable');
      return;
    }
    let status = 200;
    let body: string;
    let lastModified: number;
    const replayed: Record<string, string> = {};
    if (replay) {
      const rec = replay.answer(endpoint, query, now);
      status = rec?.status ?? 200;
      body = rec?.body ?? '[]';
      lastModified = rec ? rec.at : replay.start;
      // what the real server said beside the body: when to come back, what the body is
      for (const name of ['retry-after', 'content-type']) if (rec?.headers?.[name]) replayed[name] = rec.headers[name]!;
    } else {
      const out = yskBody(endpoint, params, now, f?.kind === 'testData');
      body = JSON.stringify(f?.kind === 'drift' ? drift(out.rows, f) : out.rows);
      lastModified = out.lastModified;
    }
    if (f?.kind === 'truncated') body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    if (f?.kind === 'malformed') {
      body = f.variant === 'html' ? '<!DOCTYPE html><html><body>Sistem bakımda</body></html>' : `${body.slice(0, -1)},}`;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
      'x-sim-time': formatYskTime(now),
      ...replayed,
    };
    const etag = etags ? `"${createHash('sha1').update(body).digest('base64url')}"` : '';
    if (etags) {
      headers['etag'] = etag;
      headers['last-modified'] = new Date(lastModified).toUTCString();
    }
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const notModified =
      etags &&
      status === 200 &&
      (inm !== undefined
        ? inm.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)
        : ims !== undefined && !Number.isNaN(Date.parse(ims)) && Math.floor(lastModified / 1000) * 1000 <= Date.parse(ims));
    if (notModified) {
      traffic.notModified++;
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const length = Buffer.byteLength(body);
    traffic.decodedBytes += length;
    if (opts.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      const zipped = gzipSync(body, { level: 6 });
      traffic.bytes += zipped.length;
      headers['content-encoding'] = 'gzip';
      headers['content-length'] = String(zipped.length);
      res.writeHead(status, headers);
      res.end(zipped);
      return;
    }
    traffic.bytes += length;
    headers['content-length'] = String(length);
    res.writeHead(status, headers);
    res.end(body);
  }

  async function admin(path: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = clock.now();
    if (path === '/_admin/clock') {
      if (req.method === 'POST') {
        const body = (await readJson(req)) as { advanceMs?: unknown; at?: unknown };
        try {
          if (typeof body.advanceMs === 'number') clock.advance(body.advanceMs);
          else if (typeof body.at === 'string' && !Number.isNaN(Date.parse(body.at))) clock.set(Date.parse(body.at));
          else throw new Error('send {"advanceMs": n} or {"at": "ISO time"}');
        } catch (err) {
          throw new HttpError(400, (err as Error).message);
        }
      }
      return json(res, 200, { now: new Date(clock.now()).toISOString(), mode: clock.mode, speed: clock.speed });
    }
    if (path === '/_admin/faults') {
      if (req.method === 'POST') {
        const parsed = faultRequestSchema.safeParse(await readJson(req));
        if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const body = parsed.data;
        if ('clear' in body) faults.clear();
        else for (const spec of 'faults' in body ? body.faults : [body]) addFault(spec);
      }
      return json(res, 200, { faults: faults.list(now), pauses: engine?.pauseWindows ?? [] });
    }
    if (path === '/_admin/info') {
      const w = engine?.world;
      return json(res, 200, {
        mode: replay ? 'replay' : 'world',
        etag: etags,
        maxRps: opts.maxRps ?? 0,
        gzip: !!opts.gzip,
        now: new Date(now).toISOString(),
        replay: replay
          ? { records: replay.size, from: new Date(replay.start).toISOString(), until: new Date(replay.end).toISOString(), done: now >= replay.end }
          : null,
        electionId: w?.electionId ?? null,
        ballots: w?.ballots ?? [],
        provinces: w?.provinces.map((p) => p.plate) ?? [],
        boxes: w?.boxCount ?? null,
        nightStart: w ? new Date(w.nightStart).toISOString() : null,
        nightMs: w?.nightMs ?? null,
      });
    }
    if (!engine) throw new HttpError(404, 'no truth when replaying a recording');
    if (path === '/_admin/stats') return json(res, 200, { now: new Date(now).toISOString(), ...engine.stats(now), traffic });
    if (path === '/_admin/truth') {
      const asOfParam = url.searchParams.get('asOf');
      const asOf = asOfParam === null ? undefined : asOfParam === 'now' ? now : Date.parse(asOfParam);
      if (asOf !== undefined && Number.isNaN(asOf)) throw new HttpError(400, 'asOf must be "now" or an ISO time');
      const ballot = int(url.searchParams.get('ballot') ?? undefined);
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      let chunk = '';
      for (const box of engine.truth({
        asOf,
        plate: int(url.searchParams.get('province') ?? undefined),
        district: int(url.searchParams.get('district') ?? undefined),
        ballot: ballot !== undefined && isBallotCode(ballot) ? ballot : undefined,
      })) {
        chunk += `${JSON.stringify(box)}\n`;
        if (chunk.length > 1 << 16) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
          chunk = '';
        }
      }
      res.end(chunk);
      return;
    }
    throw new HttpError(404, `no admin route ${path}`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const handle = async () => {
      if (path.startsWith('/_admin/')) return admin(path, url, req, res);
      const m = /^\/api\/(\w+)$/.exec(path);
      if (!m || !isYskEndpoint(m[1]!)) throw new HttpError(404, `no such YSK call ${path}`);
      if (req.method !== 'GET') throw new HttpError(405, 'YSK calls are GET');
      return api(m[1], url.search.slice(1), req, res);
    };
    handle().catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = err instanceof HttpError ? err.status : 500;
      json(res, status, { message: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    apiUrl: `${url}/api`,
    server,
    clock,
    engine,
    faults,
    traffic,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

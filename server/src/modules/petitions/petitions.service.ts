import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  PETITION_TRANSITIONS,
  parseBoxKey,
  refOfKey,
  roleById,
  scopeAllowsBox,
  scopeAllowsRegion,
  type PetitionStatus,
  type PetitionView,
  type Principal,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { AuditService, auditEntry } from '../audit/audit.service';
import { EmbargoService } from '../auth/embargo.service';
import { boxesOfScope, narrowRegion } from '../auth/scope';
import { ComplaintsService } from '../complaints/complaints.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import {
  STORE,
  type PetitionRecord,
  type AttachmentsRepository,
  type GeographyRepository,
  type PetitionsRepository,
  type SettingsRepository,
  type UsersRepository,
  type VersionsRepository,
} from '../store/store.port';
import { istanbulDeadline, turkishDateTime } from './deadline';
import { renderPetitionPdf } from './petition-pdf';
import { draftPetitionText } from './petition-text';
import { draftRegisterPetitionText, type RegisterPetitionFacts } from './register-petition';

/** The key prefix of register objections (petition kind `register`). */
export const REGISTER_KEY_PREFIX = 'register:';
import type { DeadlineBody, DraftBody, EditBody, PetitionStatusBody, PetitionsQuery } from './petitions.dto';
import { Clock } from '../../infra/clock';

const OPEN: PetitionStatus[] = ['draft', 'filed', 'accepted'];

/**
 * Objection petitions (itiraz dilekçesi) to the District Election Board: drafted from a
 * mismatched box or a complaint, edited, exported as PDF, filed before the district's deadline.
 * Every change is audited.
 */
@Injectable()
export class PetitionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE)
    private readonly store: AttachmentsRepository & GeographyRepository & PetitionsRepository & SettingsRepository & UsersRepository & VersionsRepository,
    private readonly reconcile: ReconcileService,
    private readonly complaints: ComplaintsService,
    private readonly embargo: EmbargoService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async draft(user: Principal, body: DraftBody): Promise<PetitionView> {
    if (!this.embargo.yskVisible(user))
      throw new ForbiddenException(
        `a petition sets YSK's figures against the sheet's; you see YSK's figures only after the embargo (${this.embargo.state(user).until})`,
      );
    const complaint = body.complaintId ? await this.complaints.load(user, body.complaintId) : null;
    const key = body.key ?? complaint!.key ?? this.keyOfComplaint(complaint!);
    const ref = parseBoxKey(key);
    if (!ref || ref.election !== this.config.YSK_ELECTION_ID) throw new NotFoundException(`no box ${key}`);
    if (!scopeAllowsBox(user.scope, { province: ref.province, district: ref.district, key })) throw new ForbiddenException(`box ${key} is outside your scope`);
    const summary = this.reconcile.state.summary(key);
    if (!summary) throw new NotFoundException(`no box ${key}`);
    if (!complaint && summary.status !== 'mismatch')
      throw new ConflictException(`box ${key} is ${summary.status}: a petition is drafted from a mismatched box (or from a complaint)`);
    const open = await this.store.petitions({ key, statuses: OPEN });
    if (open.length) throw new ConflictException(`petition ${open[0].id} is already ${open[0].status} for box ${key}`);

    const now = new Date(this.clock.now());
    const [photos, versions, account, provinces, districts] = await Promise.all([
      this.store.attachments({ owner: 'sheet', key }),
      this.store.versions(key),
      this.store.userById(user.userId),
      this.store.provinces(),
      this.store.districts(ref.province),
    ]);
    const complaintFiles = complaint ? await this.store.attachments({ owner: 'complaint', ownerId: complaint.id }) : [];
    const uploaders = await this.displayNames(photos.map((p) => p.uploadedBy));
    const evidence = [
      ...photos.map(
        (p) =>
          `İmzalı sandık sonuç tutanağının fotoğrafı — SHA-256: ${p.sha256}, yükleme: ${turkishDateTime(new Date(p.uploadedAt))}${p.uploadedBy ? `, yükleyen: ${uploaders.get(p.uploadedBy) ?? p.uploadedBy}` : ''}`,
      ),
      ...versions.map(
        (v) =>
          `YSK verisi, sürüm ${v.seq}${v.yskVersion !== null ? ` (YSK sürüm no ${v.yskVersion})` : ''} — alınma: ${turkishDateTime(new Date(v.fetchedAt))}${v.yskChangedAt ? `, YSK'daki son işlem: ${turkishDateTime(new Date(v.yskChangedAt))}` : ''}${v.changeReason ? `, değişiklik nedeni: ${v.changeReason}` : ''}`,
      ),
      ...complaintFiles.map(
        (a) => `Şikâyete eklenen ${a.kind === 'pdf' ? 'belge' : 'fotoğraf'} — SHA-256: ${a.sha256}, yükleme: ${turkishDateTime(new Date(a.uploadedAt))}`,
      ),
    ];
    const text = draftPetitionText({
      election: electionName(this.config),
      ballot: ref.ballot,
      province: ref.province,
      provinceName: provinces.find((p) => p.plate === ref.province)?.name ?? null,
      district: ref.district,
      districtName: districts.find((d) => d.yskId === ref.district)?.name ?? null,
      boxNo: ref.boxNo,
      ysk: summary.ysk,
      sheet: summary.org,
      evidence,
      complaintCode: complaint?.trackingCode ?? null,
      signatureName: account?.name ?? user.username,
      signatureTitle: roleById(user.role)?.name.tr ?? user.role,
      now,
    });
    const at = now.toISOString();
    const record: PetitionRecord = {
      id: randomUUID(),
      status: 'draft',
      election: ref.election,
      key,
      province: ref.province,
      district: ref.district,
      boxNo: ref.boxNo,
      ballot: ref.ballot,
      complaintId: complaint?.id ?? null,
      text,
      deadline: (await this.deadlineOf(ref.district, now)).toISOString(),
      createdAt: at,
      createdBy: user.username,
      updatedAt: at,
      filedAt: null,
      filedBy: null,
      reference: null,
    };
    // the petition and its audit record in one transaction (issue 13, finding 15)
    await this.store.createPetitionAudited(record, () =>
      auditEntry(user, 'petition.draft', `petition:${record.id}`, null, { key, complaintId: record.complaintId, deadline: record.deadline }),
    );
    if (complaint) await this.complaints.follow(user, complaint.id, 'petition_drafted', record.id);
    return this.view(record);
  }

  async get(user: Principal, id: string): Promise<PetitionView> {
    return this.shaped(user, (await this.withDecisions([this.view(await this.load(user, id))]))[0]!);
  }

  /** Edits a draft's text; filed petitions are not edited. */
  async edit(user: Principal, id: string, patch: EditBody): Promise<PetitionView> {
    const p = await this.load(user, id);
    if (p.status !== 'draft') throw new ConflictException(`petition ${id} is ${p.status}: only a draft is edited`);
    const text = { ...p.text, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    const changed = Object.keys(patch) as (keyof typeof patch)[];
    const next = await this.store.updatePetitionAudited(id, 'draft', { text, updatedAt: this.clock.iso() }, (done) =>
      auditEntry(
        user,
        'petition.edit',
        `petition:${id}`,
        Object.fromEntries(changed.map((k) => [k, done.before.text[k]])),
        Object.fromEntries(changed.map((k) => [k, text[k]])),
      ),
    );
    if (!next) throw new ConflictException(`petition ${id} changed meanwhile: reload it and try again`);
    return this.shaped(user, this.view(next));
  }

  async pdf(user: Principal, id: string): Promise<{ data: Buffer; name: string }> {
    const p = await this.load(user, id);
    if (!this.embargo.yskVisible(user))
      throw new ForbiddenException(`a petition's PDF holds YSK's figures, which you see only after the embargo (${this.embargo.state(user).until})`);
    const data = await renderPetitionPdf(p.text, { title: p.text.subject, deadline: turkishDateTime(new Date(p.deadline)) });
    return { data, name: `dilekce-${p.province}-${p.district}-${p.boxNo}-${p.ballot}.pdf` };
  }

  /** Filing status: draft → filed | withdrawn, filed → accepted | rejected; filing moves the complaint on. */
  async setStatus(user: Principal, id: string, body: PetitionStatusBody): Promise<PetitionView> {
    const p = await this.load(user, id);
    if (!PETITION_TRANSITIONS[p.status].includes(body.status)) {
      const allowed = PETITION_TRANSITIONS[p.status];
      throw new ConflictException(
        `a petition that is ${p.status} cannot become ${body.status}${allowed.length ? ` (it can become ${allowed.join(' or ')})` : ' (it is closed)'}`,
      );
    }
    const at = this.clock.iso();
    const filing =
      body.status === 'filed'
        ? { filedAt: at, filedBy: user.username, reference: body.reference ?? null }
        : body.reference
          ? { reference: body.reference }
          : {};
    // the board's decision (and its date) is kept beside the petition, written with it and its audit record in one transaction (issue 13, finding 15)
    const decided = body.status === 'accepted' || body.status === 'rejected';
    const next = await this.store.updatePetitionAudited(
      id,
      p.status,
      { status: body.status, updatedAt: at, ...filing },
      () => auditEntry(user, 'petition.status', `petition:${id}`, { status: p.status }, { status: body.status, note: body.note ?? null, ...filing }),
      decided
        ? { setting: { key: this.decisionKey(id), value: { at, by: user.username, note: body.note ?? null, reference: body.reference ?? p.reference } } }
        : {},
    );
    if (!next) throw new ConflictException(`petition ${id} changed meanwhile: reload it and try again`);
    // the complaint moves with it (each step of it audited with its change)
    if (body.status === 'filed' && p.complaintId) await this.complaints.follow(user, p.complaintId, 'filed', id);
    const follows = { accepted: 'resolved', rejected: 'rejected', withdrawn: 'in_review' } as const;
    if (p.complaintId && body.status in follows)
      await this.complaints.follow(user, p.complaintId, follows[body.status as keyof typeof follows], id).catch(() => undefined);
    return this.shaped(user, (await this.withDecisions([this.view(next)]))[0]!);
  }

  /** Petitions in scope, soonest deadline first (`unfiled`: drafts only). */
  async list(user: Principal, q: PetitionsQuery): Promise<{ items: PetitionView[] }> {
    const region = narrowRegion(user.scope, { province: q.province, district: q.district });
    const statuses = q.status === 'unfiled' ? (['draft'] as PetitionStatus[]) : q.status ? [q.status] : undefined;
    const own = boxesOfScope(user.scope);
    const found = await this.store.petitions({ province: region.province, district: region.district, statuses }, q.limit ?? 500);
    const now = this.clock.now();
    return {
      items: (await this.withDecisions(found.filter((p) => !own || own.includes(p.key)).map((p) => this.view(p, now)))).map((v) => this.shaped(user, v)),
    };
  }

  /** Sets a district's deadline for new petitions and moves its drafts' deadlines with it. */
  async setDeadline(user: Principal, district: number, body: DeadlineBody): Promise<{ district: number; deadline: string; drafts: number }> {
    const province = this.reconcile.provinceOfDistrict(district) ?? (await this.store.districts(body.province)).find((d) => d.yskId === district)?.province;
    if (province === undefined) throw new NotFoundException(`no district ${district} in province ${body.province}`);
    if (province !== body.province || !scopeAllowsRegion(user.scope, { province, district }))
      throw new ForbiddenException(`district ${district} is outside your scope`);
    const deadline = new Date(body.deadline).toISOString();
    const key = this.deadlineKey(district);
    // the deadline, the drafts moved with it and one audit record of both in one transaction (issue 13, finding 15)
    const moved = await this.store.moveDraftDeadlinesAudited(
      { key, value: { deadline, province: body.province } },
      { province: body.province, district, deadline, updatedAt: this.clock.iso() },
      (done) => auditEntry(user, 'petition.deadline', `district:${district}`, done.before, { deadline, drafts: done.moved.length }),
    );
    return { district, deadline, drafts: moved.length };
  }

  private deadlineKey(district: number): string {
    return `petition-deadline:${this.config.YSK_ELECTION_ID}:${district}`;
  }

  /** The district's deadline when one is set and still ahead; otherwise the next day at PETITION_DEADLINE_TIME, Istanbul. */
  private async deadlineOf(district: number, now: Date): Promise<Date> {
    const held = await this.store.setting<{ deadline: string }>(this.deadlineKey(district));
    if (held && Date.parse(held.deadline) > now.getTime()) return new Date(held.deadline);
    return istanbulDeadline(now, this.config.PETITION_DEADLINE_DAYS, this.config.PETITION_DEADLINE_TIME);
  }

  private keyOfComplaint(c: { province: number; district: number; boxNo: number }): string {
    const keys = this.config.YSK_BALLOT_TYPES.map((ballot) => `${this.config.YSK_ELECTION_ID}:${ballot}:${c.province}:${c.district}:${c.boxNo}`);
    return keys.find((k) => this.reconcile.state.summary(k)?.status === 'mismatch') ?? keys.find((k) => this.reconcile.state.summary(k)) ?? keys[0];
  }

  private async load(user: Principal, id: string): Promise<PetitionRecord> {
    const p = await this.store.petition(id);
    if (!p || !scopeAllowsBox(user.scope, { province: p.province, district: p.district, key: p.key }))
      throw new NotFoundException(`no petition ${id} in your scope`);
    return p;
  }

  /** During the embargo, a caller who may not see YSK's figures gets the petition without them (text, table, YSK evidence). */
  private shaped(user: Principal, v: PetitionView): PetitionView {
    if (this.embargo.yskVisible(user)) return v;
    return {
      ...v,
      text: {
        ...v.text,
        body: 'YSK verileri ambargo süresince gösterilmez (YSK figures are withheld during the embargo).',
        figures: v.text.figures.map((f) => ({ ...f, ysk: null, difference: null })),
        evidence: v.text.evidence.filter((e) => !e.startsWith('YSK')),
      },
    };
  }

  private view(p: PetitionRecord, now = this.clock.now()): PetitionView {
    const { election: _election, ...rest } = p;
    return { ...rest, kind: p.key.startsWith(REGISTER_KEY_PREFIX) ? 'register' : 'result', msLeft: Date.parse(p.deadline) - now };
  }

  /**
   * A register objection (kind `register`) from an anomaly or a lost-voter case: the same engine
   * (record, edit, PDF, status, audit), its key `register:<anomaly|case>:<id>`, its deadline the
   * end of the display period (REGISTER_DISPLAY_UNTIL) when set.
   */
  async draftRegister(
    user: Principal,
    facts: Omit<RegisterPetitionFacts, 'provinceName' | 'districtName' | 'displayUntil' | 'signatureName' | 'signatureTitle' | 'now'>,
  ): Promise<PetitionView> {
    const now = new Date(this.clock.now());
    const key = `${REGISTER_KEY_PREFIX}${facts.subject.kind}:${facts.subject.id}`;
    if (!scopeAllowsBox(user.scope, { province: facts.province, district: facts.district, key }))
      throw new ForbiddenException(`district ${facts.district} is outside your scope`);
    const until = this.config.REGISTER_DISPLAY_UNTIL ? new Date(this.config.REGISTER_DISPLAY_UNTIL) : await this.deadlineOf(facts.district, now);
    if (until.getTime() <= now.getTime())
      throw new ConflictException(
        `the display (askı) period ended at ${until.toISOString()} (REGISTER_DISPLAY_UNTIL): objections to the register are no longer heard`,
      );
    const open = await this.store.petitions({ key, statuses: OPEN });
    if (open.length)
      throw new ConflictException(`petition ${open[0].id} is already ${open[0].status} for this ${facts.subject.kind === 'anomaly' ? 'anomaly' : 'case'}`);
    const [account, provinces, districts] = await Promise.all([this.store.userById(user.userId), this.store.provinces(), this.store.districts(facts.province)]);
    const text = draftRegisterPetitionText({
      ...facts,
      provinceName: provinces.find((p) => p.plate === facts.province)?.name ?? null,
      districtName: districts.find((d) => d.yskId === facts.district)?.name ?? null,
      displayUntil: until,
      signatureName: account?.name ?? user.username,
      signatureTitle: roleById(user.role)?.name.tr ?? user.role,
      now,
    });
    const at = now.toISOString();
    const record: PetitionRecord = {
      id: randomUUID(),
      status: 'draft',
      election: this.config.YSK_ELECTION_ID,
      key,
      province: facts.province,
      district: facts.district,
      boxNo: facts.subject.kind === 'anomaly' ? (facts.subject.box ?? 0) : (facts.subject.registeredBox ?? 0),
      ballot: this.config.YSK_BALLOT_TYPES[0],
      complaintId: null,
      text,
      deadline: until.toISOString(),
      createdAt: at,
      createdBy: user.username,
      updatedAt: at,
      filedAt: null,
      filedBy: null,
      reference: null,
    };
    await this.store.createPetitionAudited(record, () =>
      auditEntry(user, 'petition.draft', `petition:${record.id}`, null, { key, kind: 'register', deadline: record.deadline }),
    );
    return this.view(record);
  }

  // ---------------------------------------------------------------- back office (issue 12)

  private decisionKey(id: string): string {
    return `petition-decision:${id}`;
  }

  /** Adds the board's decision to decided petitions. */
  private async withDecisions(views: PetitionView[]): Promise<PetitionView[]> {
    return Promise.all(
      views.map(async (v) =>
        v.status === 'accepted' || v.status === 'rejected'
          ? { ...v, decision: await this.store.setting<NonNullable<PetitionView['decision']>>(this.decisionKey(v.id)) }
          : v,
      ),
    );
  }

  /** Display names of usernames (unknown ones are left out). */
  async displayNames(usernames: (string | null | undefined)[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const u of new Set(usernames.filter((x): x is string => !!x))) {
      const found = await this.store.userByName(u);
      if (found) out.set(u, found.name);
    }
    return out;
  }

  /**
   * The objection deadline of every district of a province (or one district) in the caller's
   * scope: the one set for it, else the default a petition drafted now would get.
   */
  async deadlines(
    user: Principal,
    q: { province?: number; district?: number },
  ): Promise<{ items: { province: number; district: number; name: string; deadline: string; set: boolean }[] }> {
    const region = narrowRegion(user.scope, q);
    const own = boxesOfScope(user.scope);
    if (own) {
      const box = own[0] ? refOfKey(own[0]) : null;
      Object.assign(region, { province: box?.province, district: box?.district });
    }
    if (region.province === undefined) return { items: [] };
    const now = new Date(this.clock.now());
    const districts = (await this.store.districts(region.province)).filter((d) => region.district === undefined || d.yskId === region.district);
    const items = [];
    for (const d of districts) {
      const held = await this.store.setting<{ deadline: string }>(this.deadlineKey(d.yskId));
      const set = !!held && Date.parse(held.deadline) > now.getTime();
      items.push({ province: d.province, district: d.yskId, name: d.name, deadline: (await this.deadlineOf(d.yskId, now)).toISOString(), set });
    }
    return { items: items.sort((a, b) => a.name.localeCompare(b.name, 'tr')) };
  }
}

/** The followed election's name: YSK_ELECTION_NAME, the simulator's known night, else its id. */
export function electionName(config: Pick<AppConfig, 'YSK_ELECTION_ID' | 'YSK_ELECTION_NAME'>): string {
  if (config.YSK_ELECTION_NAME) return config.YSK_ELECTION_NAME;
  if (config.YSK_ELECTION_ID === 'sim2024') return '31 Mart 2024 Mahalli İdareler Seçimi';
  return config.YSK_ELECTION_ID;
}

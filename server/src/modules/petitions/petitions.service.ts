import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  PETITION_TRANSITIONS,
  changeReasonLabel,
  parseBoxKey,
  roleById,
  scopeAllowsBox,
  type PetitionStatus,
  type PetitionView,
  type Principal,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { AuditService } from '../audit/audit.service';
import { EmbargoService } from '../auth/embargo.service';
import { boxesOfScope, narrowRegion } from '../auth/scope';
import { ComplaintsService } from '../complaints/complaints.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import { STORE, type PetitionRecord, type Store } from '../store/store.port';
import { istanbulDeadline, turkishDateTime } from './deadline';
import { renderPetitionPdf } from './petition-pdf';
import { draftPetitionText } from './petition-text';
import type { DeadlineBody, DraftBody, EditBody, PetitionStatusBody, PetitionsQuery } from './petitions.dto';

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
    @Inject(STORE) private readonly store: Store,
    private readonly reconcile: ReconcileService,
    private readonly complaints: ComplaintsService,
    private readonly embargo: EmbargoService,
    private readonly audit: AuditService,
  ) {}

  async draft(user: Principal, body: DraftBody): Promise<PetitionView> {
    if (!this.embargo.yskVisible(user)) throw new ForbiddenException(`a petition sets YSK's figures against the sheet's; you see YSK's figures only after the embargo (${this.embargo.state(user).until})`);
    const complaint = body.complaintId ? await this.complaints.load(user, body.complaintId) : null;
    const key = body.key ?? complaint!.key ?? this.keyOfComplaint(complaint!);
    const ref = parseBoxKey(key);
    if (!ref || ref.election !== this.config.YSK_ELECTION_ID) throw new NotFoundException(`no box ${key}`);
    if (!scopeAllowsBox(user.scope, { province: ref.province, district: ref.district, key })) throw new ForbiddenException(`box ${key} is outside your scope`);
    const summary = this.reconcile.state.summary(key);
    if (!summary) throw new NotFoundException(`no box ${key}`);
    if (!complaint && summary.status !== 'mismatch') throw new ConflictException(`box ${key} is ${summary.status}: a petition is drafted from a mismatched box (or from a complaint)`);
    const open = await this.store.petitions({ key, statuses: OPEN });
    if (open.length) throw new ConflictException(`petition ${open[0].id} is already ${open[0].status} for box ${key}`);

    const now = new Date();
    const [photos, versions, account, provinces, districts] = await Promise.all([
      this.store.attachments({ owner: 'sheet', key }),
      this.store.versions(key),
      this.store.userById(user.userId),
      this.store.provinces(),
      this.store.districts(ref.province),
    ]);
    const complaintFiles = complaint ? await this.store.attachments({ owner: 'complaint', ownerId: complaint.id }) : [];
    const evidence = [
      ...photos.map((p) => `İmzalı sandık sonuç tutanağının fotoğrafı — SHA-256: ${p.sha256}, yükleme: ${turkishDateTime(new Date(p.uploadedAt))}${p.uploadedBy ? `, yükleyen: ${p.uploadedBy}` : ''}`),
      ...versions.map((v) => `YSK verisi, sürüm ${v.seq}${v.yskVersion !== null ? ` (YSK sürüm no ${v.yskVersion})` : ''} — alınma: ${turkishDateTime(new Date(v.fetchedAt))}${v.yskChangedAt ? `, YSK'daki son işlem: ${turkishDateTime(new Date(v.yskChangedAt))}` : ''}${changeReasonLabel(v.changeReason) ? `, değişiklik nedeni: ${changeReasonLabel(v.changeReason)} (kod ${v.changeReason})` : ''}`),
      ...complaintFiles.map((a) => `Şikâyete eklenen ${a.kind === 'pdf' ? 'belge' : 'fotoğraf'} — SHA-256: ${a.sha256}, yükleme: ${turkishDateTime(new Date(a.uploadedAt))}`),
    ];
    const text = draftPetitionText({
      election: this.config.YSK_ELECTION_ID,
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
    await this.store.createPetition(record);
    await this.audit.record(user, 'petition.draft', `petition:${record.id}`, null, { key, complaintId: record.complaintId, deadline: record.deadline });
    if (complaint) await this.complaints.follow(user, complaint.id, 'petition_drafted', record.id);
    return this.view(record);
  }

  async get(user: Principal, id: string): Promise<PetitionView> {
    return this.view(await this.load(user, id));
  }

  /** Edits a draft's text; filed petitions are not edited. */
  async edit(user: Principal, id: string, patch: EditBody): Promise<PetitionView> {
    const p = await this.load(user, id);
    if (p.status !== 'draft') throw new ConflictException(`petition ${id} is ${p.status}: only a draft is edited`);
    const text = { ...p.text, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    const next = await this.store.updatePetition(id, 'draft', { text, updatedAt: new Date().toISOString() });
    if (!next) throw new ConflictException(`petition ${id} changed meanwhile: reload it and try again`);
    const changed = Object.keys(patch) as (keyof typeof patch)[];
    await this.audit.record(user, 'petition.edit', `petition:${id}`, Object.fromEntries(changed.map((k) => [k, p.text[k]])), Object.fromEntries(changed.map((k) => [k, text[k]])));
    return this.view(next);
  }

  async pdf(user: Principal, id: string): Promise<{ data: Buffer; name: string }> {
    const p = await this.load(user, id);
    const data = await renderPetitionPdf(p.text, { title: p.text.subject, deadline: turkishDateTime(new Date(p.deadline)) });
    return { data, name: `dilekce-${p.province}-${p.district}-${p.boxNo}-${p.ballot}.pdf` };
  }

  /** Filing status: draft → filed | withdrawn, filed → accepted | rejected; filing moves the complaint on. */
  async setStatus(user: Principal, id: string, body: PetitionStatusBody): Promise<PetitionView> {
    const p = await this.load(user, id);
    if (!PETITION_TRANSITIONS[p.status].includes(body.status)) {
      const allowed = PETITION_TRANSITIONS[p.status];
      throw new ConflictException(`a petition that is ${p.status} cannot become ${body.status}${allowed.length ? ` (it can become ${allowed.join(' or ')})` : ' (it is closed)'}`);
    }
    const at = new Date().toISOString();
    const filing = body.status === 'filed' ? { filedAt: at, filedBy: user.username, reference: body.reference ?? null } : body.reference ? { reference: body.reference } : {};
    const next = await this.store.updatePetition(id, p.status, { status: body.status, updatedAt: at, ...filing });
    if (!next) throw new ConflictException(`petition ${id} changed meanwhile: reload it and try again`);
    await this.audit.record(user, 'petition.status', `petition:${id}`, { status: p.status }, { status: body.status, note: body.note ?? null, ...filing });
    if (body.status === 'filed' && p.complaintId) await this.complaints.follow(user, p.complaintId, 'filed', id);
    return this.view(next);
  }

  /** Petitions in scope, soonest deadline first (`unfiled`: drafts only). */
  async list(user: Principal, q: PetitionsQuery): Promise<{ items: PetitionView[] }> {
    const region = narrowRegion(user.scope, { province: q.province, district: q.district });
    const statuses = q.status === 'unfiled' ? (['draft'] as PetitionStatus[]) : q.status ? [q.status] : undefined;
    const own = boxesOfScope(user.scope);
    const found = await this.store.petitions({ province: region.province, district: region.district, statuses }, q.limit ?? 500);
    const now = Date.now();
    return { items: found.filter((p) => !own || own.includes(p.key)).map((p) => this.view(p, now)) };
  }

  /** Sets a district's deadline for new petitions and moves its drafts' deadlines with it. */
  async setDeadline(user: Principal, district: number, body: DeadlineBody): Promise<{ district: number; deadline: string; drafts: number }> {
    const deadline = new Date(body.deadline).toISOString();
    const key = this.deadlineKey(district);
    const before = await this.store.setting<{ deadline: string }>(key);
    await this.store.putSetting(key, { deadline, province: body.province });
    const drafts = await this.store.petitions({ province: body.province, district, statuses: ['draft'] });
    let moved = 0;
    for (const p of drafts) if (await this.store.updatePetition(p.id, 'draft', { deadline, updatedAt: new Date().toISOString() })) moved++;
    await this.audit.record(user, 'petition.deadline', `district:${district}`, before, { deadline, drafts: moved });
    return { district, deadline, drafts: moved };
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
    if (!p || !scopeAllowsBox(user.scope, { province: p.province, district: p.district, key: p.key })) throw new NotFoundException(`no petition ${id} in your scope`);
    return p;
  }

  private view(p: PetitionRecord, now = Date.now()): PetitionView {
    const { election: _election, ...rest } = p;
    return { ...rest, msLeft: Date.parse(p.deadline) - now };
  }
}

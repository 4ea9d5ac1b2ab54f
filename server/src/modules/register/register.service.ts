import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  REGISTER_STATUSES,
  tcKimlikProblem,
  TC_KIMLIK_MESSAGES,
  type LostVoterCaseView,
  type PetitionView,
  type Principal,
  type RegisterAnomalyView,
  type RegisterCheckResult,
  type RegisterDistrictCount,
  type RegisterStatus,
} from '@gozcu/shared';
import { ValidationFailed } from '../../infra/http';
import { AuditService } from '../audit/audit.service';
import { narrowRegion, scopeAllows } from '../auth/scope';
import { VoterRegisterService } from '../citizen/voter-register.service';
import { PetitionsService } from '../petitions/petitions.service';
import { STORE, type GeographyRepository } from '../store/store.port';
import { REGISTER_STORE, type LostVoterCaseRecord, type RegisterStore } from './register.port';
import type { AnomaliesQuery, CasesQuery, ReportBody, StatusBody } from './register.dto';
import { Clock } from '../../infra/clock';

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const trackingCode = () => {
  const b = randomBytes(10);
  const part = (o: number) => Array.from(b.subarray(o, o + 5), (x) => CODE_ALPHABET[x % 32]).join('');
  return `SK-${part(0)}-${part(5)}`;
};

function assertTc(tc: string): void {
  const problem = tcKimlikProblem(tc);
  if (problem)
    throw new ValidationFailed(`invalid TC Kimlik No: ${TC_KIMLIK_MESSAGES[problem].en}`, {
      tc: `${TC_KIMLIK_MESSAGES[problem].tr} (${TC_KIMLIK_MESSAGES[problem].en})`,
    });
}

/** e-seçmen: the citizen's check, the lost-voter reports, the anomaly lists and objections. */
@Injectable()
export class RegisterService {
  constructor(
    @Inject(REGISTER_STORE) private readonly register: RegisterStore,
    @Inject(STORE) private readonly store: GeographyRepository,
    private readonly voters: VoterRegisterService,
    private readonly petitions: PetitionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Only the caller's own registration: where, never who else is there. */
  async check(tc: string): Promise<RegisterCheckResult> {
    assertTc(tc);
    const v = await this.register.voterByHash(this.voters.hash(tc));
    if (!v) return { registered: false };
    const [provinces, districts] = await Promise.all([this.store.provinces(), this.store.districts(v.province)]);
    return {
      registered: true,
      province: v.province,
      provinceName: provinces.find((p) => p.plate === v.province)?.name ?? null,
      district: v.district,
      districtName: districts.find((d) => d.yskId === v.district)?.name ?? null,
      neighbourhood: v.neighbourhood,
      box: v.boxNo,
      school: v.school,
    };
  }

  /** "Kayıtlı değilim" / "Adresim yanlış": a lost-voter case for the district where the citizen lives. */
  async report(body: ReportBody): Promise<{ trackingCode: string; kind: LostVoterCaseView['kind']; district: number; status: RegisterStatus }> {
    assertTc(body.tc);
    const districts = await this.store.districts(body.province);
    if (districts.length && !districts.some((d) => d.yskId === body.district))
      throw new ValidationFailed(`district ${body.district} is not a district of province ${body.province}`, { district: 'not a district of this province' });
    const hash = this.voters.hash(body.tc);
    const found = await this.register.voterByHash(hash);
    if (body.kind === 'missing' && found)
      throw new ConflictException('this TC Kimlik No is in the register: choose "my address is wrong" if the box is not where you live');
    if (body.kind === 'wrong_address' && !found) throw new ConflictException('this TC Kimlik No is not in the register: choose "I am not registered"');
    const at = this.clock.iso();
    const record: LostVoterCaseRecord = {
      id: randomUUID(),
      trackingCode: trackingCode(),
      kind: body.kind,
      hash,
      province: body.province,
      district: body.district,
      neighbourhood: body.neighbourhood ?? null,
      registeredDistrict: found?.district ?? null,
      registeredBox: found?.boxNo ?? null,
      note: body.note ?? null,
      contact: body.contact ?? null,
      status: 'open',
      createdAt: at,
      updatedAt: at,
      petitionId: null,
    };
    await this.register.createCase(record);
    await this.audit.record(null, 'register.case', `register-case:${record.id}`, null, {
      kind: record.kind,
      province: record.province,
      district: record.district,
    });
    return { trackingCode: record.trackingCode, kind: record.kind, district: record.district, status: record.status };
  }

  async anomalies(user: Principal, q: AnomaliesQuery): Promise<{ items: RegisterAnomalyView[] }> {
    const region = narrowRegion(user.scope, { province: q.province, district: q.district });
    return { items: await this.register.anomalies({ province: region.province, district: region.district, kind: q.kind, status: q.status }, q.limit ?? 1000) };
  }

  async cases(user: Principal, q: CasesQuery): Promise<{ items: LostVoterCaseView[] }> {
    const region = narrowRegion(user.scope, { province: q.province, district: q.district });
    const found = await this.register.cases({ province: region.province, district: region.district, status: q.status }, q.limit ?? 1000);
    return { items: found.map(({ hash: _hash, ...c }) => c) };
  }

  async setAnomalyStatus(user: Principal, id: string, body: StatusBody): Promise<RegisterAnomalyView> {
    const a = await this.loadAnomaly(user, id);
    if (a.status === body.status) return a;
    if (a.status === 'objected') throw new ConflictException(`anomaly ${id} is objected (a petition was drafted): its status follows the petition`);
    const next = await this.register.setAnomalyStatus(id, a.status, body.status, this.clock.iso());
    if (!next) throw new ConflictException(`anomaly ${id} changed meanwhile: reload it and try again`);
    await this.audit.record(user, 'register.anomaly.status', `register-anomaly:${id}`, { status: a.status }, { status: body.status, note: body.note ?? null });
    return next;
  }

  async setCaseStatus(user: Principal, id: string, body: StatusBody): Promise<LostVoterCaseView> {
    const c = await this.loadCase(user, id);
    if (c.status === 'objected') throw new ConflictException(`case ${id} is objected (a petition was drafted): its status follows the petition`);
    const next = c.status === body.status ? c : await this.register.setCaseStatus(id, c.status, body.status, this.clock.iso());
    if (!next) throw new ConflictException(`case ${id} changed meanwhile: reload it and try again`);
    if (c.status !== body.status)
      await this.audit.record(user, 'register.case.status', `register-case:${id}`, { status: c.status }, { status: body.status, note: body.note ?? null });
    const { hash: _hash, ...view } = next;
    return view;
  }

  /** Drafts the objection petition of an anomaly; the anomaly becomes `objected`. */
  async objectAnomaly(user: Principal, id: string): Promise<PetitionView> {
    const a = await this.loadAnomaly(user, id);
    if (a.status === 'objected') throw new ConflictException(`anomaly ${id} is already objected (petition ${a.petitionId})`);
    const petition = await this.petitions.draftRegister(user, {
      province: a.province,
      district: a.district,
      subject: { kind: 'anomaly', id: a.id, anomaly: a.kind, evidence: a.evidence, box: a.box ?? null },
    });
    await this.register.setAnomalyStatus(id, a.status, 'objected', this.clock.iso(), petition.id);
    await this.audit.record(user, 'register.anomaly.status', `register-anomaly:${id}`, { status: a.status }, { status: 'objected', petitionId: petition.id });
    return petition;
  }

  async objectCase(user: Principal, id: string): Promise<PetitionView> {
    const c = await this.loadCase(user, id);
    if (c.status === 'objected') throw new ConflictException(`case ${id} is already objected (petition ${c.petitionId})`);
    const petition = await this.petitions.draftRegister(user, {
      province: c.province,
      district: c.district,
      subject: {
        kind: 'case',
        id: c.id,
        case: c.kind,
        trackingCode: c.trackingCode,
        neighbourhood: c.neighbourhood,
        registeredDistrict: c.registeredDistrict,
        registeredBox: c.registeredBox,
        note: c.note,
      },
    });
    await this.register.setCaseStatus(id, c.status, 'objected', this.clock.iso(), petition.id);
    await this.audit.record(user, 'register.case.status', `register-case:${id}`, { status: c.status }, { status: 'objected', petitionId: petition.id });
    return petition;
  }

  /** Per district of the caller's scope: anomalies and cases by status. */
  async counts(user: Principal, q: { province?: number }): Promise<{ items: RegisterDistrictCount[] }> {
    const region = narrowRegion(user.scope, { province: q.province });
    const [anomalies, cases, districts] = await Promise.all([
      this.register.anomalyCounts(region.province),
      this.register.caseCounts(region.province),
      this.store.districts(region.province),
    ]);
    const zero = () => Object.fromEntries(REGISTER_STATUSES.map((s) => [s, 0])) as Record<RegisterStatus, number>;
    const rows = new Map<number, RegisterDistrictCount>();
    const row = (province: number, district: number) =>
      rows.get(district) ??
      rows
        .set(district, { province, district, districtName: districts.find((d) => d.yskId === district)?.name ?? null, anomalies: zero(), cases: zero() })
        .get(district)!;
    // a province's every district, with or without findings; the country: only districts with findings
    if (region.province !== undefined) for (const d of districts) row(d.province, d.yskId);
    for (const c of anomalies) row(c.province, c.district).anomalies[c.status] += c.n;
    for (const c of cases) row(c.province, c.district).cases[c.status] += c.n;
    const items = [...rows.values()].filter((r) => scopeAllows(user.scope, { region: { province: r.province, district: r.district } }));
    return { items: items.sort((a, b) => a.province - b.province || a.district - b.district) };
  }

  async districtsOf(province: number): Promise<{ items: { yskId: number; name: string }[] }> {
    const items = await this.store.districts(province);
    return { items: items.map((d) => ({ yskId: d.yskId, name: d.name })).sort((a, b) => a.name.localeCompare(b.name, 'tr')) };
  }

  private async loadAnomaly(user: Principal, id: string) {
    const a = await this.register.anomaly(id);
    if (!a || !scopeAllows(user.scope, { region: { province: a.province, district: a.district } }))
      throw new NotFoundException(`no anomaly ${id} in your scope`);
    return a;
  }

  private async loadCase(user: Principal, id: string) {
    const c = await this.register.case(id);
    if (!c || !scopeAllows(user.scope, { region: { province: c.province, district: c.district } })) throw new NotFoundException(`no case ${id} in your scope`);
    return c;
  }
}

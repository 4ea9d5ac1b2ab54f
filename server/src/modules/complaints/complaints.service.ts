import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  COMPLAINT_ROUTE_ROLES,
  COMPLAINT_STATUSES,
  COMPLAINT_STATUS_LABELS,
  COMPLAINT_TRANSITIONS,
  boxKey,
  complaintStepPermission,
  maskTcKimlikNos,
  scopeAllowsBox,
  scopeAllowsRegion,
  type ComplaintCounts,
  type ComplaintStatus,
  type ComplaintTracking,
  type ComplaintView,
  type Principal,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus } from '../../infra/events';
import { ValidationFailed } from '../../infra/http';
import { AuditService, auditEntry } from '../audit/audit.service';
import { boxesOfScope, narrowRegion } from '../auth/scope';
import { AttachmentsService, ORIGINAL_PERMISSION, type UploadedFileLike } from '../photos/attachments.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import {
  STORE,
  type AttachmentRecord,
  type ComplaintFilter,
  type ComplaintRecord,
  type AttachmentsRepository,
  type ComplaintsRepository,
  type GeographyRepository,
  type UsersRepository,
} from '../store/store.port';
import type { ComplaintBody, ComplaintsQuery, CountsQuery } from './complaints.dto';
import { newTrackingCode } from './tracking-code';
import { Clock } from '../../infra/clock';

type Actor = Pick<Principal, 'userId' | 'username' | 'role'>;

/**
 * Complaints about a box's result: filed with evidence by a citizen (or an observer), routed to
 * the district's legal officers and chair, then moved through the workflow by the roles the
 * transition table names; every step is audited.
 */
@Injectable()
export class ComplaintsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: AttachmentsRepository & ComplaintsRepository & GeographyRepository & UsersRepository,
    private readonly attachments: AttachmentsService,
    private readonly reconcile: ReconcileService,
    private readonly audit: AuditService,
    private readonly bus: ChangeBus,
    private readonly clock: Clock,
  ) {}

  /** Checks every file by content first, then stores the complaint and its evidence. */
  async file(body: ComplaintBody, files: UploadedFileLike[], filer: Principal | null): Promise<ComplaintTracking & { attachments: number }> {
    const knownProvince = this.reconcile.provinceOfDistrict(body.district);
    if (knownProvince !== undefined && knownProvince !== body.province) {
      throw new ValidationFailed('invalid complaint: district', { district: `district ${body.district} is not in province ${body.province}` });
    }
    if (knownProvince === undefined && !(await this.store.districts(body.province)).some((d) => d.yskId === body.district)) {
      throw new ValidationFailed('invalid complaint: district', { district: `no district ${body.district} is known in province ${body.province}` });
    }
    if (body.ballot !== undefined && !this.config.YSK_BALLOT_TYPES.includes(body.ballot)) {
      throw new ValidationFailed('invalid complaint: ballot', { ballot: `this election's ballot types are ${this.config.YSK_BALLOT_TYPES.join(', ')}` });
    }
    const checked = await this.attachments.inspectAll(files, true);
    const at = this.clock.iso();
    const routedTo = (await Promise.all(COMPLAINT_ROUTE_ROLES.map((role) => this.store.users({ role, province: body.province, district: body.district }))))
      .flat()
      .filter((u) => !u.disabled)
      .map((u) => u.username);
    const election = this.config.YSK_ELECTION_ID;
    const record: ComplaintRecord = {
      id: randomUUID(),
      trackingCode: newTrackingCode(),
      status: 'new',
      election,
      ballot: body.ballot ?? null,
      key: body.ballot !== undefined ? boxKey({ election, ballot: body.ballot, province: body.province, district: body.district, boxNo: body.boxNo }) : null,
      province: body.province,
      district: body.district,
      boxNo: body.boxNo,
      // a national ID typed into free text is not kept in clear
      text: maskTcKimlikNos(body.text),
      contact: body.contact ? maskTcKimlikNos(body.contact) : null,
      routedTo,
      filedBy: filer?.username ?? null,
      petitionId: null,
      createdAt: at,
      updatedAt: at,
      history: [{ at, status: 'new', by: filer?.username ?? null, note: null }],
    };
    // the files' bytes first (content-addressed, harmless alone); then the complaint, its files'
    // records and its audit record in one transaction (issue 13, finding 15)
    const saved: AttachmentRecord[] = [];
    for (const { file, inspected } of checked)
      saved.push(await this.attachments.stage('complaint', record.id, record.key, inspected, file.buffer, filer?.username ?? null));
    await this.store.createComplaintAudited(record, saved, () =>
      auditEntry(filer, 'complaint.create', `complaint:${record.id}`, null, {
        trackingCode: record.trackingCode,
        province: record.province,
        district: record.district,
        boxNo: record.boxNo,
        ballot: record.ballot,
        routedTo,
        attachments: saved.map((a) => ({ id: a.id, sha256: a.sha256, contentType: a.contentType, bytes: a.bytes })),
      }),
    );
    this.bus.emit('complaint.filed', { id: record.id, key: record.key, province: record.province, district: record.district, boxNo: record.boxNo, at });
    return { ...this.tracking(record), attachments: saved.length };
  }

  tracking(c: ComplaintRecord): ComplaintTracking {
    return { trackingCode: c.trackingCode, status: c.status, statusName: COMPLAINT_STATUS_LABELS[c.status], createdAt: c.createdAt, updatedAt: c.updatedAt };
  }

  async track(code: string): Promise<ComplaintTracking> {
    const found = await this.store.complaintByCode(code);
    if (!found) throw new NotFoundException('no complaint has this tracking code');
    return this.tracking(found);
  }

  async list(user: Principal, q: ComplaintsQuery): Promise<{ items: ComplaintView[] }> {
    const own = boxesOfScope(user.scope);
    const region = narrowRegion(user.scope, { province: q.province, district: q.district });
    const filter: ComplaintFilter = own ? { keys: own, status: q.status } : { province: region.province, district: region.district, status: q.status };
    const found = await this.store.complaints(filter, q.limit ?? 200);
    return { items: await Promise.all(found.map((c) => this.view(user, c))) };
  }

  async counts(user: Principal, q: CountsQuery): Promise<ComplaintCounts> {
    const own = boxesOfScope(user.scope);
    const region = narrowRegion(user.scope, q);
    const filter: ComplaintFilter = own ? { keys: own } : { province: region.province, district: region.district };
    const held = await this.store.complaintCounts(filter);
    const byStatus = Object.fromEntries(COMPLAINT_STATUSES.map((s) => [s, held[s] ?? 0])) as Record<ComplaintStatus, number>;
    return {
      scope: { province: region.province ?? null, district: region.district ?? null },
      total: Object.values(byStatus).reduce((a, b) => a + b, 0),
      byStatus,
    };
  }

  async get(user: Principal, id: string): Promise<ComplaintView> {
    return this.view(user, await this.load(user, id));
  }

  /** A step of the workflow by a person: allowed by the table, with the permission it names, in scope. */
  async transition(user: Principal, id: string, to: ComplaintStatus, note: string | undefined): Promise<ComplaintView> {
    const c = await this.load(user, id);
    const needed = complaintStepPermission(c.status, to);
    if (!needed) {
      const allowed = Object.keys(COMPLAINT_TRANSITIONS[c.status]);
      throw new ConflictException(
        `a complaint that is ${c.status} cannot become ${to}${allowed.length ? ` (it can become ${allowed.join(' or ')})` : ' (it is closed)'}`,
      );
    }
    if (!user.permissions.includes(needed))
      throw new ForbiddenException(`your role (${user.role}) lacks ${needed}, which moving a complaint from ${c.status} to ${to} needs`);
    return this.view(user, await this.step(user, c, to, note ?? null));
  }

  /**
   * Moves a complaint on as a petition is drafted or filed (PetitionsService): through
   * in_review when it is still new. Answers the complaint as it ends up.
   */
  async follow(
    actor: Principal,
    id: string,
    to: 'petition_drafted' | 'filed' | 'resolved' | 'rejected' | 'in_review',
    petitionId: string,
  ): Promise<ComplaintRecord> {
    let c = await this.store.complaint(id);
    if (!c) throw new NotFoundException(`no complaint ${id}`);
    if (c.status === to) return c;
    if (to === 'petition_drafted' && c.status === 'new') c = await this.step(actor, c, 'in_review', 'a petition is being drafted');
    if (!complaintStepPermission(c.status, to)) throw new ConflictException(`complaint ${c.trackingCode} is ${c.status}: it cannot become ${to}`);
    return this.step(actor, c, to, `petition ${petitionId}`, petitionId);
  }

  /** Loads a complaint in the caller's scope (404 outside it: its existence is not disclosed). */
  async load(user: Principal, id: string): Promise<ComplaintRecord> {
    const c = await this.store.complaint(id);
    if (!c || !this.inScope(user, c)) throw new NotFoundException(`no complaint ${id} in your scope`);
    return c;
  }

  private inScope(user: Principal, c: ComplaintRecord): boolean {
    if (scopeAllowsRegion(user.scope, { province: c.province, district: c.district })) return true;
    return !!c.key && scopeAllowsBox(user.scope, { province: c.province, district: c.district, key: c.key });
  }

  private async step(actor: Actor, c: ComplaintRecord, to: ComplaintStatus, note: string | null, petitionId?: string): Promise<ComplaintRecord> {
    const at = this.clock.iso();
    // the step and its audit record in one transaction (issue 13, finding 15)
    const next = await this.store.updateComplaintAudited(
      c.id,
      c.status,
      { status: to, updatedAt: at, petitionId, step: { at, status: to, by: actor.username, note } },
      () => auditEntry(actor, 'complaint.status', `complaint:${c.id}`, { status: c.status }, { status: to, note, ...(petitionId ? { petitionId } : {}) }),
    );
    if (!next) throw new ConflictException(`complaint ${c.trackingCode} changed meanwhile: reload it and try again`);
    return next;
  }

  private async view(user: Principal, c: ComplaintRecord): Promise<ComplaintView> {
    const legal = user.permissions.includes(ORIGINAL_PERMISSION);
    const files = await this.store.attachments({ owner: 'complaint', ownerId: c.id });
    return {
      id: c.id,
      trackingCode: c.trackingCode,
      status: c.status,
      key: c.key,
      election: c.election,
      ballot: c.ballot,
      province: c.province,
      district: c.district,
      boxNo: c.boxNo,
      text: c.text,
      contact: legal ? c.contact : null,
      routedTo: c.routedTo,
      attachments: files.map((a) => this.attachments.view(a, user)),
      petitionId: c.petitionId,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      history: c.history,
    };
  }
}

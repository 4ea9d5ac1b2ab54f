/** The request schemas live in @gozcu/shared (contracts/audit.ts), where the dashboard can use them too. */
export { auditQuery, type AuditQuery } from '@gozcu/shared';

/** The request schemas live in @gozcu/shared (contracts/register.ts), where the dashboard can use them too. */
export {
  checkBody,
  type CheckBody,
  reportBody,
  type ReportBody,
  anomaliesQuery,
  type AnomaliesQuery,
  casesQuery,
  type CasesQuery,
  registerCountsQuery as countsQuery,
  registerDistrictsQuery as districtsQuery,
  type RegisterCountsQuery as CountsQuery,
  registerStatusBody as statusBody,
  type RegisterStatusBody as StatusBody,
} from '@gozcu/shared';

/** The request schemas live in @gozcu/shared (contracts/reconcile.ts), where the dashboard can use them too. */
export { coverageQuery, type CoverageQuery, BOX_SORTS, boxesQuery, type BoxesQuery, formatQuery } from '@gozcu/shared';

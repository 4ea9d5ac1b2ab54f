/** The request schemas live in @gozcu/shared (contracts/backoffice.ts), where the dashboard can use them too. */
export { citizenDistrictsQuery, teamQuery, type TeamQuery, teamPatch, type TeamPatch, namesQuery, deadlinesQuery, type DeadlinesQuery } from '@gozcu/shared';

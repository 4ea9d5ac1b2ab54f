/** The request schemas live in @gozcu/shared (contracts/citizen.ts), where the dashboard can use them too. */
export { boxQuery, type BoxQuery, tcBody, type TcBody } from '@gozcu/shared';

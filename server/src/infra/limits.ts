/** The API's identifier bounds live in @gozcu/shared (contracts/limits.ts), beside the request schemas that apply them. */
export { MAX_BOX_NO, MAX_DISTRICT_ID, MAX_ID_LENGTH } from '@gozcu/shared';

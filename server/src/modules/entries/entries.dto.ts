/** The request schemas live in @gozcu/shared (contracts/entries.ts), where the dashboard can use them too. */
export { entryRefSchema, entryBody, type EntryBody, confirmBody, type ConfirmBody, myBoxesQuery, type MyBoxesQuery } from '@gozcu/shared';

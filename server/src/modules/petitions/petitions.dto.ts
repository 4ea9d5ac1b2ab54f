/** The request schemas live in @gozcu/shared (contracts/petitions.ts), where the dashboard can use them too. */
export {
  draftBody,
  type DraftBody,
  editBody,
  type EditBody,
  petitionStatusBody,
  type PetitionStatusBody,
  petitionsQuery,
  type PetitionsQuery,
  deadlineBody,
  type DeadlineBody,
  staleQuery,
  type StaleQuery,
} from '@gozcu/shared';

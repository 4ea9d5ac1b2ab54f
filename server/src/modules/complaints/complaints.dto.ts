/** The request schemas live in @gozcu/shared (contracts/complaints.ts), where the dashboard can use them too. */
export {
  complaintBody,
  type ComplaintBody,
  complaintsQuery,
  type ComplaintsQuery,
  complaintCountsQuery as countsQuery,
  type ComplaintCountsQuery as CountsQuery,
  complaintStatusBody as statusBody,
  type ComplaintStatusBody as StatusBody,
} from '@gozcu/shared';

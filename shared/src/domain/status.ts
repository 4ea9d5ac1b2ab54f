/** Per-box status (per box and ballot type), DESIGN.md. */
export const BOX_STATUSES = ['awaiting', 'ysk_only', 'org_only', 'match', 'mismatch'] as const;
export type BoxStatus = (typeof BOX_STATUSES)[number];

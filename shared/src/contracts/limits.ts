/**
 * Bounds of every identifier the API takes, so that no request can carry a value the state,
 * the store or a restart cannot hold (a box number of 10^12 once bricked the server).
 * YSK district ids and box numbers are far below these.
 */
export const MAX_DISTRICT_ID = 9_999_999;
export const MAX_BOX_NO = 999_999;
/** ids the server makes (UUIDs, zero-padded sequence numbers) are shorter than this */
export const MAX_ID_LENGTH = 64;

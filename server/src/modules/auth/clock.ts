/** The clock of the auth module (ms since epoch); tests may provide another. */
export const AUTH_CLOCK = Symbol('AUTH_CLOCK');
export type Clock = () => number;

/** Reconnect quickly once Redis is back (ioredis waits up to 2 s between attempts by default). */
export const redisRetry = (times: number): number => Math.min(100 * times, 500);

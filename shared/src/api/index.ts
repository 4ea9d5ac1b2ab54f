export * from './contracts';
export * from './live';

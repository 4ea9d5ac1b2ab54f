export * from './ballot';
export * from './geo';
export * from './sheet';
export * from './box';
export * from './status';
export * from './hash';
export * from './diff';
export * from './checks';

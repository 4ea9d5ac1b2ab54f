export * from './domain';
export * from './api';
export * from './reconcile';
export * from './ysk';
export * from './contracts';

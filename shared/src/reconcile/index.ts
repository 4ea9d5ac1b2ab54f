export * from './types';
export * from './compare';
export * from './reconcile-box';
export * from './state';
export * from './version-baseline';
export type { ImageHooks } from './image';

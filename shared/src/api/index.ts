export * from './contracts';
export * from './live';
export * from './auth';
export * from './roles';
export * from './citizen';
export * from './alerts';
export * from './register';

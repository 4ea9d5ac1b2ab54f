export * from './endpoints';
export * from './schemas';
export * from './columns';
export * from './normalise';
export * from './rows';
export * from './time';
export * from './recording';
export * from './change-reasons';

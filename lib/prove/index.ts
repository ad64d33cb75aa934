export * from './default-clients';
export * from './model';
export * from './prove';
export * from './readers';
export * from './render';
export * from './signed-client';
export * from './targets';

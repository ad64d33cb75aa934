export * from './active-active-site';
export * from './multi-site-active-active';

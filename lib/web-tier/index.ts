export * from './active-spare-web-tier';
export * from './browser-failover';
export * from './spare-mode';
export * from './web-tier-site';

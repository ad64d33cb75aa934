export * from './active-spare-web-tier';
export * from './browser-failover';
export * from './web-tier-site';

export * from './active-spare-web-tier';
export * from './browser-failover';
export * from './browser-failover-helper';
export * from './spare-mode';
export * from './web-tier-site';
export * from './active-spare-web-tier-props';

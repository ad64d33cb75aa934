export * from './cold-standby-config-server';
export * from './writer-flag';
export { ConfigSite } from './config-site';
export type { ConfigSiteProps } from './config-site';
export * from './cold-standby-config-server-props';

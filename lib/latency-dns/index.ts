export * from './latency-dns';
export * from './site-record';

export * from './latency-dns';

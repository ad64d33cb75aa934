export * from './inter-region-vpc-peering';
export * from './network-route';

export { proveDrills } from '../failover/prove-target';

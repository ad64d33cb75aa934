export { proveDrills } from '../drills/prove-target';

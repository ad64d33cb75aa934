// Moved to lib/private/cidr.ts (shared with lib/network); re-exported so existing imports keep working.
export { cidrsOverlap, knownCidr } from '../private/cidr';

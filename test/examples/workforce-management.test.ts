import { describeExampleGates } from './example-suite';

describeExampleGates('workforce-management');

import { describeExampleGates } from './example-suite';

describeExampleGates('automation-engine');

import { describeExampleGates } from './example-suite';

describeExampleGates('agent-workspace');

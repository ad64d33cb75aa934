import { describeExampleGates } from './example-suite';

describeExampleGates('messaging-gateway');

import { describeExampleGates } from './example-suite';

describeExampleGates('spatial-etl');

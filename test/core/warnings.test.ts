import { Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { addHaWarning } from '../../lib';
import { testApp, testEnv } from '../harness';

/** Every warning of the cloud assembly, as `cdk synth` prints them. */
function assemblyWarnings(assembly: cxapi.CloudAssembly): string[] {
  return assembly.stacks.flatMap(s => s.messages)
    .filter(m => m.level === 'warning')
    .map(m => `${m.id} ${String(m.entry.data)}`);
}

describe('addHaWarning', () => {
  test('a warning of a construct inside a stack reaches the cloud assembly', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: testEnv() });
    addHaWarning(new Construct(stack, 'Inside'), 'probe', 'inside a stack');
    expect(assemblyWarnings(app.synth())).toEqual(['/S/Inside inside a stack [ack: cdk-ha-patterns:probe]']);
  });

  test('a warning of a construct outside every stack reaches the cloud assembly through the first stack below it', () => {
    const app = testApp();
    const outside = new Construct(app, 'Tier');
    addHaWarning(outside, 'probe', 'outside a stack');
    new Stack(outside, 'Primary', { env: testEnv() });
    new Stack(outside, 'Spare', { env: testEnv('us-east-1') });
    expect(assemblyWarnings(app.synth())).toEqual(['/Tier/Primary Tier: outside a stack [ack: cdk-ha-patterns:probe]']);
  });
});

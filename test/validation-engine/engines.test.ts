/**
 * The CloudFormation validation engine shared by a Jest worker's test files
 * (test/validation-engine/engines.js): the gates find what they found with an
 * engine per test file, and the worker builds one engine per configuration.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { gateReport, testApp, testEnv } from '../harness';

interface Engines {
  readonly CompositeEngine: new (config?: unknown) => { listRules(): unknown; engineName(): string; free(): void };
  readonly engineCount?: () => number;
  readonly engineKey?: (config: unknown) => string;
}

const engines = (): Engines => require('@aws/cloudformation-validate');

/** What the built-in validation (not cdk-nag) reports over one stack holding `resources`. */
function validationFindings(resources: Record<string, { type: string; properties: Record<string, unknown> }>): string[] {
  const app = testApp({ validation: true });
  const stack = new Stack(app, 'Stack', { env: testEnv() });
  for (const [id, r] of Object.entries(resources)) new CfnResource(stack, id, r);
  return gateReport(app).findings.filter(f => f.plugin === 'CloudFormation Validate').map(f => `${f.rule} ${f.description}`);
}

describe('the validation engine shared by the test files of a Jest worker', () => {
  test('a later synthesis with other resource types reuses the engine, and each still gets its findings', () => {
    const queue = validationFindings({ Queue: { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'one minute' } } });
    const built = engines().engineCount!();
    const topic = validationFindings({ Topic: { type: 'AWS::SNS::Topic', properties: { Nonsense: true } } });
    expect(engines().engineCount!()).toBe(built);
    expect(queue).toEqual([expect.stringMatching(/VisibilityTimeout/)]);
    expect(topic).toEqual([expect.stringMatching(/Nonsense/)]);
  });

  test('a valid template draws no finding from the shared engine', () => {
    expect(validationFindings({ Queue: { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 60 } } })).toEqual([]);
  });

  test('one engine per configuration: the same configuration again builds none; another configuration has another key', () => {
    const { CompositeEngine, engineCount, engineKey } = engines();
    new CompositeEngine({});
    const before = engineCount!();
    const again = new CompositeEngine({});
    expect(engineCount!()).toBe(before);
    expect(engineKey!({})).toBe(engineKey!(undefined));
    const rules = { regoRules: [{ name: 'a.rego', content: 'package a\n' }] };
    expect(engineKey!(rules)).toBe(engineKey!(JSON.parse(JSON.stringify(rules))));
    expect(engineKey!(rules)).not.toBe(engineKey!({}));
    expect(engineKey!(rules)).not.toBe(engineKey!({ regoRules: [{ name: 'a.rego', content: 'package b\n' }] }));
    // freeing is left to the worker's exit: another test file may still use the engine
    again.free();
    expect(again.engineName()).toBe(new CompositeEngine({}).engineName());
  });

  test('where Node has no process.getBuiltinModule, Jest loads the package itself', () => {
    const getBuiltinModule = process.getBuiltinModule;
    try {
      (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
      jest.isolateModules(() => {
        const loaded = engines();
        expect(loaded.engineCount).toBeUndefined();
        expect(typeof loaded.CompositeEngine).toBe('function');
      });
    } finally {
      process.getBuiltinModule = getBuiltinModule;
    }
  });
});

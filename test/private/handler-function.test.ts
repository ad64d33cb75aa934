import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HandlerFunction } from '../../lib/private/handler-function';
import { testApp, testEnv } from '../harness';

const ENTRY = path.join(__dirname, '..', 'fixtures', 'echo-handler', 'index');

describe('HandlerFunction', () => {
  const stack = new Stack(testApp(), 'Fn', { env: testEnv() });
  new HandlerFunction(stack, 'Echo', { entry: ENTRY, description: 'echo', environment: { A: 'b' } });
  const template = Template.fromStack(stack);

  test('uses the latest Node.js runtime on arm64 with source maps', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: { A: 'b', NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  test('has its own role without managed policies, writing only to its own log group', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EchoLogs'), 'Arn'] },
      })] },
    });
  });

  test('only Lambda may assume its role, which says what the function does', () => {
    const own = new Stack(testApp(), 'Trust', { env: testEnv() });
    new HandlerFunction(own, 'Echo', { entry: ENTRY, description: 'echoes its input' });
    Template.fromStack(own).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
      Description: 'echoes its input',
    });
  });

  test('its own log group keeps a year of logs and outlives the stack', () => {
    const own = new Stack(testApp(), 'Logs', { env: testEnv() });
    new HandlerFunction(own, 'Echo', { entry: ENTRY, description: 'echo' });
    Template.fromStack(own).hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('runs for at most a minute unless given a timeout, with 256 MB unless given a size, source maps on beside the given environment', () => {
    const own = new Stack(testApp(), 'Timeout', { env: testEnv() });
    new HandlerFunction(own, 'Default', { entry: ENTRY, description: 'default' });
    new HandlerFunction(own, 'Given', { entry: ENTRY, description: 'given', timeout: Duration.seconds(69), memorySize: 512, environment: { A: 'b' } });
    const fns = Object.values(Template.fromStack(own).findResources('AWS::Lambda::Function'))
      .map(f => [f.Properties.Description, f.Properties.Timeout, f.Properties.MemorySize, f.Properties.Environment.Variables]);
    expect(fns).toEqual([
      ['default', 60, 256, { NODE_OPTIONS: '--enable-source-maps' }],
      ['given', 69, 512, { NODE_OPTIONS: '--enable-source-maps', A: 'b' }],
    ]);
  });

  test('finds the package lock above the entry, wherever the app runs from', () => {
    const cwd = process.cwd();
    const own = new Stack(testApp(), 'Elsewhere', { env: testEnv() });
    try {
      // NodejsFunction would search from the working directory, where an app that installed the library may have no lock file
      process.chdir(os.tmpdir());
      expect(() => new HandlerFunction(own, 'Echo', { entry: ENTRY, description: 'echo' })).not.toThrow();
    } finally {
      process.chdir(cwd);
    }
  });

  test('fails when the entry does not exist', () => {
    expect(() => new HandlerFunction(stack, 'Missing', { entry: '/nowhere/index', description: 'x' }))
      .toThrow('handler entry not found: /nowhere/index.ts or /nowhere/index.js');
  });
});

describe('HandlerFunction bundling', () => {
  test('bundles locally with esbuild (no Docker), minified, AWS SDK left external', () => {
    const app = testApp({ bundling: true });
    const stack = new Stack(app, 'Bundled', { env: testEnv() });
    new HandlerFunction(stack, 'Echo', { entry: ENTRY, description: 'echo' });
    const assembly = app.synth();
    const assetDirs = fs.readdirSync(assembly.directory).filter(d => d.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const bundle = fs.readFileSync(path.join(assembly.directory, assetDirs[0], 'index.js'), 'utf8');
    expect(bundle).toContain('@aws-sdk/client-dynamodb');   // required at run time, not bundled
    expect(bundle.split('\n').length).toBeLessThan(10);      // minified
    expect(fs.existsSync(path.join(assembly.directory, assetDirs[0], 'index.js.map'))).toBe(true);
  });
});

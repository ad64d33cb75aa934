import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Props of `HandlerFunction`. */
export interface HandlerFunctionProps {
  /** Path of the handler module without extension, e.g. `path.join(__dirname, 'handler', 'index')`. */
  readonly entry: string;
  /** What the function does (the Lambda description). */
  readonly description: string;
  /** @default {} */
  readonly environment?: Record<string, string>;
  /** @default 1 minute */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
}

/**
 * The one way this library builds a Lambda handler: bundled locally by
 * esbuild (never in Docker), `@aws-sdk/*` left to the runtime, minified with
 * source maps, its own role and log group (no managed policies).
 * Switching to pre-bundled assets later changes this file only.
 */
export class HandlerFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: resolveEntry(props.entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 256,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      depsLockFilePath: findUp('package-lock.json', path.dirname(props.entry)),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node24',
        externalModules: ['@aws-sdk/*'],
      },
    });
    // The function writes only to its own log group.
    this.logGroup.grantWrite(this.role);
  }
}

/** The `.ts` source while running from source, the `.js` file once compiled. */
function resolveEntry(entry: string): string {
  for (const ext of ['.ts', '.js']) {
    if (fs.existsSync(entry + ext)) return entry + ext;
  }
  throw new Error(`handler entry not found: ${entry}.ts or ${entry}.js`);
}

function findUp(name: string, dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, name))) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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
  /**
   * A VPC to run in (a probe that checks a writer on the data plane), in its private subnets with
   * egress (the function also calls AWS APIs).
   * @default not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * A literal name, for a function another region's stack names (a Region switch step's ARN) without a
   * cross-region reference.
   * @default a name CloudFormation generates
   */
  readonly functionName?: string;
}

/**
 * How every handler is bundled: by esbuild, locally (never in Docker),
 * `@aws-sdk/*` left to the Lambda runtime, minified with source maps. Used
 * by `NodejsFunction` when running from this repository's sources and by
 * `npm run build` (scripts/build.ts) for the bundles shipped in the package,
 * so both build the same file (test/private/handler-bundles.test.ts).
 */
export const HANDLER_BUNDLING = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  externalModules: ['@aws-sdk/*'],
};

/**
 * The one way this library builds a Lambda handler: its own role and log
 * group (no managed policies), the latest Node.js runtime on arm64, bundled
 * as `HANDLER_BUNDLING` says. From the sources (`<entry>.ts`) it bundles at
 * synth time with the local esbuild; from the installed package it deploys
 * the bundle `npm run build` wrote (`<entry>.js`, alone in its directory),
 * so users need neither esbuild nor Docker.
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
    const common: lambda.FunctionOptions = {
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      functionName: props.functionName,
      role: this.role,
      logGroup: this.logGroup,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 256,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, allowAllOutbound: true } : {}),
    };
    if (props.vpc) {
      // What Lambda needs to attach the function to the VPC (AWSLambdaVPCAccessExecutionRole, inline: no managed policy).
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    const entry = resolveEntry(props.entry);
    this.function = entry.endsWith('.ts')
      ? new nodejs.NodejsFunction(this, 'Resource', {
        ...common,
        runtime: lambda.Runtime.NODEJS_24_X,
        entry,
        handler: 'handler',
        depsLockFilePath: findUp('package-lock.json', path.dirname(props.entry)),
        bundling: { ...HANDLER_BUNDLING, forceDockerBundling: false },
      })
      : new lambda.Function(this, 'Resource', {
        ...common,
        runtime: lambda.Runtime.NODEJS_24_X,
        code: lambda.Code.fromAsset(path.dirname(entry)),
        handler: `${path.basename(props.entry)}.handler`,
      });
    // The function writes only to its own log group.
    this.logGroup.grantWrite(this.role);
    if (props.vpc) {
      // Lambda checks the network-interface permissions when it creates the function: the policy comes first.
      const policy = this.role.node.tryFindChild('DefaultPolicy');
      if (policy) this.function.node.addDependency(policy);
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'The network-interface actions Lambda needs to run the function in a VPC (those of AWSLambdaVPCAccessExecutionRole) do not support resource-level permissions.',
      });
    }
  }
}

/** The `.ts` source while running from this repository, the prebuilt bundle (`.js`) in the installed package. */
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

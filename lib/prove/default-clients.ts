import { createHash, createHmac, Hash, Hmac } from 'crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsJsonRequest, AwsJsonResponse, AwsJsonTransport, FisApi, FisJsonClient, RegionSwitchApi, RegionSwitchClient, ZonalShiftApi, ZonalShiftClient } from './signed-client';

/**
 * The AWS clients `prove` reads with, one per region. CloudWatch and
 * CloudFormation are the SDK v3 clients (tests mock them with
 * aws-sdk-client-mock); FIS, Region switch and zonal shift go through the
 * signed JSON clients of `signed-client.ts` (tests inject the transport).
 */
export interface ProveClients {
  /** FIS in `region`. */
  fis(region: string): FisApi;
  /** CloudWatch in `region`. */
  cloudWatch(region: string): CloudWatchClient;
  /** CloudFormation in `region`. */
  cloudFormation(region: string): CloudFormationClient;
  /** Region switch's data plane in `region`. */
  regionSwitch(region: string): RegionSwitchApi;
  /** Zonal shift in `region`. */
  zonalShift(region: string): ZonalShiftApi;
}

/**
 * Whether the default credential chain (environment, shared profile, SSO,
 * process, web identity, container or instance role) resolves credentials.
 */
export async function hasDefaultCredentials(): Promise<boolean> {
  try {
    await defaultProvider()();
    return true;
  } catch {
    return false;
  }
}

/**
 * Clients with the caller's credentials (the default chain). Needs the
 * packages `@aws-sdk/client-cloudwatch`, `@aws-sdk/client-cloudformation`,
 * `@aws-sdk/credential-provider-node` and `@smithy/signature-v4`.
 */
export async function defaultProveClients(): Promise<ProveClients> {
  const transport = await signedFetchTransport();
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    fis: region => new FisJsonClient(region, transport),
    cloudWatch: region => once(`cw ${region}`, () => new CloudWatchClient({ region })),
    cloudFormation: region => once(`cfn ${region}`, () => new CloudFormationClient({ region })),
    regionSwitch: region => new RegionSwitchClient(region, transport),
    zonalShift: region => new ZonalShiftClient(region, transport),
  };
}

/** Signs each request with SigV4 (the caller's credentials) and sends it with `fetch`. */
export async function signedFetchTransport(): Promise<AwsJsonTransport> {
  const credentials = defaultProvider();
  return {
    async send(request: AwsJsonRequest): Promise<AwsJsonResponse> {
      const signer = new SignatureV4({ credentials, region: request.region, service: request.service, sha256: NodeSha256 });
      const signed = await signer.sign({
        method: request.method, protocol: 'https:', hostname: request.hostname, path: request.path,
        query: request.query, headers: request.headers, body: request.body,
      });
      const qs = new URLSearchParams(request.query).toString();
      const response = await fetch(`https://${request.hostname}${request.path}${qs ? `?${qs}` : ''}`, {
        method: request.method, headers: signed.headers, body: request.body,
      });
      return { statusCode: response.status, body: await response.text() };
    },
  };
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 (and HMAC-SHA-256 with a secret) from Node's crypto, in the shape the signer takes. */
export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  public update(data: SourceData): void {
    this.hash.update(bytes(data));
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  public reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

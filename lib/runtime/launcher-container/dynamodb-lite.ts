/**
 * A minimal DynamoDB client for the launcher's container: the JSON protocol
 * over `fetch`, signed with Signature Version 4 (node:crypto), credentials
 * from the ECS container credentials endpoint (or the environment). It lets
 * the launcher run `LeaseClient` on a stock Node.js image, without the AWS
 * SDK; the launcher's bundle maps `@aws-sdk/client-dynamodb` to `sdk-shim.ts`,
 * which sends its commands through this client.
 */
import { createHash, createHmac } from 'crypto';

/** AWS credentials. */
export interface LiteCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Epoch ms after which they must be fetched again. */
  readonly expiresAtMs?: number;
}

/** Options of `DynamoDbLite`. */
export interface DynamoDbLiteOptions {
  /** @default AWS_REGION, else AWS_DEFAULT_REGION */
  readonly region?: string;
  /** @default AWS_ENDPOINT_URL_DYNAMODB, else https://dynamodb.<region>.amazonaws.com */
  readonly endpoint?: string;
  /** @default the container credentials endpoint, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN */
  readonly credentials?: () => Promise<LiteCredentials>;
  /** Abort a request after this long. @default 5000 */
  readonly timeoutMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default process.env */
  readonly env?: Record<string, string | undefined>;
}

/** An error answered by DynamoDB; `name` is its type, e.g. `ConditionalCheckFailedException`. */
export class DynamoDbLiteError extends Error {
  constructor(name: string, message: string, public readonly statusCode: number) {
    super(message);
    this.name = name;
    Object.setPrototypeOf(this, DynamoDbLiteError.prototype);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** The SigV4 `Authorization` header (and the headers it signs) of a DynamoDB JSON request. */
export function signDynamoDbRequest(opts: {
  readonly host: string; readonly region: string; readonly target: string; readonly body: string;
  readonly credentials: LiteCredentials; readonly nowMs: number;
}): Record<string, string> {
  const amzDate = new Date(opts.nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'host': opts.host,
    'x-amz-date': amzDate,
    'x-amz-target': opts.target,
    ...(opts.credentials.sessionToken ? { 'x-amz-security-token': opts.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', '', ...names.map(n => `${n}:${headers[n].trim()}`), '', names.join(';'), sha256(opts.body)].join('\n');
  const scope = `${day}/${opts.region}/dynamodb/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${opts.credentials.secretAccessKey}`, day);
  for (const part of [opts.region, 'dynamodb', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** Credentials of an ECS task (the container credentials endpoint), else of the environment. */
export function defaultCredentials(env: Record<string, string | undefined>, clock: () => number): () => Promise<LiteCredentials> {
  let cached: LiteCredentials | undefined;
  return async () => {
    if (cached && (cached.expiresAtMs === undefined || cached.expiresAtMs - 5 * 60_000 > clock())) return cached;
    const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
    const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    if (relative || full) {
      const url = relative ? `http://169.254.170.2${relative}` : full!;
      const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
      const res = await fetch(url, { headers: token ? { Authorization: token } : {}, signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`container credentials endpoint answered ${res.status}`);
      const c = await res.json() as { AccessKeyId: string; SecretAccessKey: string; Token?: string; Expiration?: string };
      cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token, expiresAtMs: c.Expiration ? Date.parse(c.Expiration) : undefined };
      return cached;
    }
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    }
    throw new Error('no AWS credentials: neither the ECS container credentials endpoint nor AWS_ACCESS_KEY_ID is set');
  };
}

/** Sends DynamoDB JSON-protocol operations (`UpdateItem`, ...) signed with SigV4. */
export class DynamoDbLite {
  private readonly region: string;
  private readonly endpoint: string;
  private readonly credentials: () => Promise<LiteCredentials>;
  private readonly timeoutMs: number;
  private readonly clock: () => number;

  constructor(options: DynamoDbLiteOptions = {}) {
    const env = options.env ?? process.env;
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('no AWS region: set AWS_REGION (ECS sets it in every task)');
    this.region = region;
    this.endpoint = (options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? `https://dynamodb.${region}.amazonaws.com`).replace(/\/$/, '');
    this.clock = options.clock ?? Date.now;
    this.credentials = options.credentials ?? defaultCredentials(env, this.clock);
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Sends one operation; resolves with its JSON answer, rejects with a `DynamoDbLiteError` for an error answer. */
  public async call(operation: string, input: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    const headers = signDynamoDbRequest({
      host: new URL(this.endpoint).host, region: this.region, target: `DynamoDB_20120810.${operation}`, body,
      credentials: await this.credentials(), nowMs: this.clock(),
    });
    delete headers.host; // fetch sets it (the same value)
    const res = await fetch(`${this.endpoint}/`, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!res.ok) {
      const type = String(json.__type ?? 'UnknownError');
      throw new DynamoDbLiteError(type.slice(type.lastIndexOf('#') + 1), String(json.message ?? json.Message ?? text), res.status);
    }
    return json;
  }
}

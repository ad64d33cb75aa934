/**
 * Small apps with drills of each kind, and recorded answers of the APIs
 * `prove` reads (shapes from the services' models).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Stack } from 'aws-cdk-lib';
import { Drills, DrillKind, HaPattern } from '../../lib';
import { AwsJsonRequest, AwsJsonResponse, AwsJsonTransport, FisJsonClient, ProveClients, ProveDrill, proveDrills, RegionSwitchClient, ZonalShiftClient } from '../../lib/prove';
import { testApp } from '../harness';
import { FIXTURES } from '../pattern-fixtures';

/** The drills `Drills` generates for one pattern fixture, as `prove` reads them. */
export function drillsOf(fixture: string, zonalAutoshift = false): { pattern: HaPattern; drills: ProveDrill[] } {
  const app = testApp();
  const pattern = FIXTURES[fixture](app);
  new Drills(Stack.of(pattern), 'Drills', { zonalAutoshift });
  return { pattern, drills: proveDrills(app) };
}

/** The first drill of `kind`. */
export function first(drills: ProveDrill[], kind: DrillKind): ProveDrill {
  const d = drills.find(x => x.description.kind === kind);
  if (!d) throw new Error(`no ${kind} drill among ${drills.map(x => x.description.constructPath).join(', ')}`);
  return d;
}

/** A transport answering from a table of recorded responses, keyed by operation; it records each request. */
export class RecordedTransport implements AwsJsonTransport {
  public readonly requests: AwsJsonRequest[] = [];
  constructor(private readonly answers: Record<string, AwsJsonResponse | ((r: AwsJsonRequest) => AwsJsonResponse)>) {}

  public async send(request: AwsJsonRequest): Promise<AwsJsonResponse> {
    this.requests.push(request);
    const op = request.headers['x-amz-target']?.replace(/^ArcRegionSwitch\./, '') ?? `${request.method} ${request.path}`;
    const answer = this.answers[op];
    if (!answer) return { statusCode: 400, body: JSON.stringify({ __type: 'ValidationException', message: `no recorded answer for ${op}` }) };
    return typeof answer === 'function' ? answer(request) : answer;
  }
}

export const ok = (body: unknown): AwsJsonResponse => ({ statusCode: 200, body: JSON.stringify(body) });

/** Clients over real SDK client instances (mocked with aws-sdk-client-mock) and, for FIS, Region switch and zonal shift, the recorded transport. */
export function clientsWith(transport: AwsJsonTransport): ProveClients {
  return {
    fis: region => new FisJsonClient(region, transport),
    cloudWatch: region => new CloudWatchClient({ region }),
    cloudFormation: region => new CloudFormationClient({ region }),
    regionSwitch: region => new RegionSwitchClient(region, transport),
    zonalShift: region => new ZonalShiftClient(region, transport),
  };
}

/** Epoch seconds of an ISO time, as the JSON protocols send timestamps. */
export const epoch = (isoTime: string) => Date.parse(isoTime) / 1000;

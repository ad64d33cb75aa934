/**
 * Small SigV4-signed JSON clients for the services whose SDK clients the
 * project does not depend on: ARC Region switch (`awsJson1_0`, regional
 * data plane `arc-region-switch.<region>.api.aws`), ARC zonal shift
 * (`restJson1`, `arc-zonal-shift.<region>.amazonaws.com`) and FIS
 * (`restJson1`, `fis.<region>.amazonaws.com`: the registry's
 * `@aws-sdk/client-fis` is years behind the other clients). Shapes follow
 * the services' Smithy models (aws-sdk-js-v3 `codegen/sdk-codegen/aws-models/`);
 * only the read operations `prove` needs. Timestamps arrive as epoch seconds.
 */

/** One HTTP request to an AWS JSON API, before signing. */
export interface AwsJsonRequest {
  /** The region the request is signed for and sent to. */
  readonly region: string;
  /** The signing name, e.g. `arc-region-switch`. */
  readonly service: string;
  /** HTTP method. */
  readonly method: string;
  /** Host name, e.g. `arc-region-switch.eu-west-1.api.aws`. */
  readonly hostname: string;
  /** Path, e.g. `/` or `/zonalshifts`. */
  readonly path: string;
  /** Query string parameters. */
  readonly query: Record<string, string>;
  /** Headers (without the signature). */
  readonly headers: Record<string, string>;
  /**
   * The JSON body.
   * @default no body
   */
  readonly body?: string;
}

/** The answer to an `AwsJsonRequest`. */
export interface AwsJsonResponse {
  /** HTTP status code. */
  readonly statusCode: number;
  /** The body, as text. */
  readonly body: string;
}

/** Sends (signed) requests: the default signs with the caller's credentials; tests inject recorded answers. */
export interface AwsJsonTransport {
  /** Signs and sends `request`. */
  send(request: AwsJsonRequest): Promise<AwsJsonResponse>;
}

/** A plan as `ListPlansInRegion` lists it. */
export interface RegionSwitchPlanSummary {
  readonly arn: string;
  readonly name: string;
  readonly regions?: string[];
  readonly recoveryTimeObjectiveMinutes?: number;
}

/** A plan execution as `ListPlanExecutions` / `GetPlanExecution` return it. */
export interface RegionSwitchExecution {
  readonly planArn: string;
  readonly executionId: string;
  /** Epoch seconds. */
  readonly startTime: number;
  /** Epoch seconds. */
  readonly endTime?: number;
  readonly mode?: string;
  /** `inProgress`, `pausedByFailedStep`, `pausedByOperator`, `completed`, `completedWithExceptions`, `canceled`, `planExecutionTimedOut`, `pendingManualApproval`, `failed`, `pending`, `completedMonitoringApplicationHealth`. */
  readonly executionState: string;
  readonly executionAction?: string;
  readonly executionRegion?: string;
  /** ISO 8601 duration, e.g. `PT3M20S`: the plan's run plus the time until its application-health alarms are healthy again. */
  readonly actualRecoveryTime?: string;
  readonly stepStates?: Array<{ name?: string; status?: string; startTime?: number; endTime?: number; stepMode?: string }>;
}

/** A zonal shift (practice run or other) as `ListZonalShifts` returns it. */
export interface ZonalShiftSummary {
  readonly zonalShiftId: string;
  readonly resourceIdentifier: string;
  readonly awayFrom: string;
  /** Epoch seconds. */
  readonly startTime: number;
  /** Epoch seconds. */
  readonly expiryTime?: number;
  /** `ACTIVE`, `EXPIRED`, `CANCELED`. */
  readonly status: string;
  readonly comment?: string;
  /** `ZONAL_SHIFT`, `PRACTICE_RUN`, `FIS_EXPERIMENT`, `ZONAL_AUTOSHIFT`. */
  readonly shiftType?: string;
  /** `FAILED`, `INTERRUPTED`, `PENDING`, `SUCCEEDED`, `CAPACITY_CHECK_FAILED`. */
  readonly practiceRunOutcome?: string;
}

/** The Region switch operations `prove` reads. */
export interface RegionSwitchApi {
  /** Every plan available in the client's region. */
  listPlansInRegion(): Promise<RegionSwitchPlanSummary[]>;
  /** Every execution of a plan (current and past). */
  listPlanExecutions(planArn: string): Promise<RegionSwitchExecution[]>;
  /** One execution with its step states. */
  getPlanExecution(planArn: string, executionId: string): Promise<RegionSwitchExecution>;
}

/** The zonal shift operations `prove` reads. */
export interface ZonalShiftApi {
  /** Every zonal shift (practice runs included) of a resource. */
  listZonalShifts(resourceIdentifier: string): Promise<ZonalShiftSummary[]>;
}

/** An FIS experiment template as `ListExperimentTemplates` lists it. */
export interface FisTemplateSummary {
  readonly id: string;
  readonly tags?: Record<string, string>;
}

/** An FIS experiment as `ListExperiments` lists it. */
export interface FisExperimentSummary {
  readonly id: string;
  readonly experimentTemplateId?: string;
  /** Epoch seconds. */
  readonly creationTime?: number;
}

/** An FIS experiment as `GetExperiment` returns it (the fields `prove` reads). */
export interface FisExperiment {
  readonly id: string;
  readonly experimentTemplateId?: string;
  /** `pending`, `initiating`, `running`, `completed`, `stopping`, `stopped`, `failed`, `cancelled`. */
  readonly state?: { readonly status?: string; readonly reason?: string };
  /** Epoch seconds. */
  readonly startTime?: number;
  /** Epoch seconds. */
  readonly endTime?: number;
  readonly actions?: Record<string, { actionId?: string; state?: { status?: string }; startTime?: number; endTime?: number }>;
  /** `{ source: 'aws:cloudwatch:alarm', value: <alarm ARN> }` */
  readonly stopConditions?: Array<{ source?: string; value?: string }>;
}

/** The FIS operations `prove` reads. */
export interface FisApi {
  /** Every experiment template in the client's region. */
  listExperimentTemplates(): Promise<FisTemplateSummary[]>;
  /** The experiments of a template. */
  listExperiments(experimentTemplateId: string): Promise<FisExperimentSummary[]>;
  /** One experiment with its actions' times and stop conditions. */
  getExperiment(id: string): Promise<FisExperiment>;
}

/** A service error answered by the API. */
export class AwsJsonError extends Error {
  constructor(readonly operation: string, readonly statusCode: number, body: string) {
    super(`${operation} failed (HTTP ${statusCode}): ${errorMessage(body)}`);
    this.name = 'AwsJsonError';
  }
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; Message?: string; __type?: string };
    return [parsed.__type, parsed.message ?? parsed.Message].filter(Boolean).join(': ') || body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

/** ARC Region switch, `awsJson1_0` on the regional data plane (`GetPlanExecution`, `ListPlanExecutions` and `ListPlansInRegion` are data-plane operations). */
export class RegionSwitchClient implements RegionSwitchApi {
  constructor(private readonly region: string, private readonly transport: AwsJsonTransport) {}

  public async listPlansInRegion(): Promise<RegionSwitchPlanSummary[]> {
    return this.paginate<RegionSwitchPlanSummary>('ListPlansInRegion', {}, 'plans');
  }

  public async listPlanExecutions(planArn: string): Promise<RegionSwitchExecution[]> {
    return this.paginate<RegionSwitchExecution>('ListPlanExecutions', { planArn }, 'items');
  }

  public async getPlanExecution(planArn: string, executionId: string): Promise<RegionSwitchExecution> {
    return (await this.call('GetPlanExecution', { planArn, executionId })) as unknown as RegionSwitchExecution;
  }

  private async paginate<T>(operation: string, input: Record<string, unknown>, key: string): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(operation, { ...input, ...(nextToken ? { nextToken } : {}) });
      all.push(...((page[key] as T[] | undefined) ?? []));
      nextToken = page.nextToken as string | undefined;
    } while (nextToken);
    return all;
  }

  private async call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const hostname = `arc-region-switch.${this.region}.api.aws`;
    const response = await this.transport.send({
      region: this.region, service: 'arc-region-switch', method: 'POST', hostname, path: '/', query: {},
      headers: { 'host': hostname, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `ArcRegionSwitch.${operation}` },
      body: JSON.stringify(input),
    });
    if (response.statusCode < 200 || response.statusCode >= 300) throw new AwsJsonError(operation, response.statusCode, response.body);
    return JSON.parse(response.body || '{}') as Record<string, unknown>;
  }
}

/** ARC zonal shift, `restJson1` (`GET /zonalshifts`). */
export class ZonalShiftClient implements ZonalShiftApi {
  constructor(private readonly region: string, private readonly transport: AwsJsonTransport) {}

  public async listZonalShifts(resourceIdentifier: string): Promise<ZonalShiftSummary[]> {
    const hostname = `arc-zonal-shift.${this.region}.amazonaws.com`;
    const all: ZonalShiftSummary[] = [];
    let nextToken: string | undefined;
    do {
      const response = await this.transport.send({
        region: this.region, service: 'arc-zonal-shift', method: 'GET', hostname, path: '/zonalshifts',
        query: { resourceIdentifier, ...(nextToken ? { nextToken } : {}) },
        headers: { host: hostname, accept: 'application/json' },
      });
      if (response.statusCode < 200 || response.statusCode >= 300) throw new AwsJsonError('ListZonalShifts', response.statusCode, response.body);
      const page = JSON.parse(response.body || '{}') as { items?: ZonalShiftSummary[]; nextToken?: string };
      all.push(...(page.items ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }
}

/** FIS, `restJson1` (`GET /experimentTemplates`, `GET /experiments`, `GET /experiments/{id}`). */
export class FisJsonClient implements FisApi {
  constructor(private readonly region: string, private readonly transport: AwsJsonTransport) {}

  public async listExperimentTemplates(): Promise<FisTemplateSummary[]> {
    return this.paginate<FisTemplateSummary>('ListExperimentTemplates', '/experimentTemplates', {}, 'experimentTemplates');
  }

  public async listExperiments(experimentTemplateId: string): Promise<FisExperimentSummary[]> {
    const all = await this.paginate<FisExperimentSummary>('ListExperiments', '/experiments', { experimentTemplateId }, 'experiments');
    return all.filter(e => e.experimentTemplateId === experimentTemplateId);
  }

  public async getExperiment(id: string): Promise<FisExperiment> {
    const page = await this.get('GetExperiment', `/experiments/${encodeURIComponent(id)}`, {});
    return (page.experiment ?? { id }) as FisExperiment;
  }

  private async paginate<T>(operation: string, path: string, query: Record<string, string>, key: string): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.get(operation, path, { ...query, ...(nextToken ? { nextToken } : {}) });
      all.push(...((page[key] as T[] | undefined) ?? []));
      nextToken = page.nextToken as string | undefined;
    } while (nextToken);
    return all;
  }

  private async get(operation: string, path: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const hostname = `fis.${this.region}.amazonaws.com`;
    const response = await this.transport.send({ region: this.region, service: 'fis', method: 'GET', hostname, path, query, headers: { host: hostname, accept: 'application/json' } });
    if (response.statusCode < 200 || response.statusCode >= 300) throw new AwsJsonError(operation, response.statusCode, response.body);
    return JSON.parse(response.body || '{}') as Record<string, unknown>;
  }
}

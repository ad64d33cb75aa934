/** Types of the Lambda target that serves the browser failover helper (`serve.js`). */

/** The fields of an Application Load Balancer event `serve.js` reads. */
export interface HelperRequest {
  readonly httpMethod?: string;
  readonly path?: string;
}

/** What the function serves. */
export interface HelperSite {
  /** Path prefix of the listener rule, e.g. `/ha-failover`. */
  readonly prefix: string;
  /** The helper's source (`failover.js`). */
  readonly helper: string;
  /** The tier's options for `startFailover()`, as JSON. */
  readonly options: string;
  /** `Cache-Control: max-age` of both modules. */
  readonly maxAgeSeconds: number;
}

/** An Application Load Balancer response. */
export interface HelperResponse {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly isBase64Encoded: false;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export declare function respond(request: HelperRequest, site: HelperSite): HelperResponse;
export declare function startModule(options: string): string;
export declare function handler(event: HelperRequest): Promise<HelperResponse>;

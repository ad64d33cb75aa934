import { hasDefaultCredentials, NodeSha256, RegionSwitchClient, signedFetchTransport, ZonalShiftClient } from '../../lib/prove';

const ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const saved = Object.fromEntries(ENV.map(k => [k, process.env[k]]));
const realFetch = global.fetch;

beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  delete process.env.AWS_SESSION_TOKEN;
});
afterEach(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  global.fetch = realFetch;
});

function fakeFetch(status: number, body: unknown) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  global.fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
  return calls;
}

test('the default credential chain finds credentials in the environment', async () => {
  expect(await hasDefaultCredentials()).toBe(true);
});

test('Region switch: a SigV4-signed awsJson1_0 POST to the regional data plane', async () => {
  const calls = fakeFetch(200, { items: [{ planArn: 'arn:p', executionId: 'e1', startTime: 1764583200, executionState: 'completed' }] });
  const client = new RegionSwitchClient('us-east-1', await signedFetchTransport());
  expect(await client.listPlanExecutions('arn:p')).toEqual([expect.objectContaining({ executionId: 'e1' })]);
  expect(calls).toHaveLength(1);
  expect(calls[0].url).toBe('https://arc-region-switch.us-east-1.api.aws/');
  const headers = calls[0].init.headers as Record<string, string>;
  expect(headers['x-amz-target']).toBe('ArcRegionSwitch.ListPlanExecutions');
  expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/arc-region-switch\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
  expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  expect(JSON.parse(calls[0].init.body as string)).toEqual({ planArn: 'arn:p' });
});

test('zonal shift: a signed GET with the resource in the query string', async () => {
  const calls = fakeFetch(200, { items: [] });
  const client = new ZonalShiftClient('eu-west-1', await signedFetchTransport());
  expect(await client.listZonalShifts('arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/a/b')).toEqual([]);
  expect(calls[0].url).toBe('https://arc-zonal-shift.eu-west-1.amazonaws.com/zonalshifts?resourceIdentifier=arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A1%3Aloadbalancer%2Fapp%2Fa%2Fb');
  expect((calls[0].init.headers as Record<string, string>).authorization).toMatch(/\/eu-west-1\/arc-zonal-shift\/aws4_request/);
});

test('fails with the service\'s error type and message', async () => {
  fakeFetch(403, { __type: 'AccessDeniedException', message: 'User is not authorized' });
  const client = new ZonalShiftClient('eu-west-1', await signedFetchTransport());
  await expect(client.listZonalShifts('arn:x')).rejects.toThrow('ListZonalShifts failed (HTTP 403): AccessDeniedException: User is not authorized');
});

test('the signer\'s SHA-256 gives the signature of the SigV4 test suite\'s get-vanilla request', async () => {
  const { SignatureV4 } = jest.requireActual<typeof import('@smithy/signature-v4')>('@smithy/signature-v4');
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    region: 'us-east-1', service: 'service', sha256: NodeSha256, applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/', query: {}, headers: { host: 'example.amazonaws.com' } },
    { signingDate: new Date('2015-08-30T12:36:00Z') },
  );
  expect(signed.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
    'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
});

import { ChangeMessageVisibilityCommand, ReceiptHandleIsInvalid, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { JobEnvironment, JobHeartbeat, JobVisibilityLoss, JobVisibilityLostError } from '../../lib/runtime';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs';
const T0 = 1_700_000_000_000;

describe('JobHeartbeat (aws-sdk-client-mock, fake timers)', () => {
  const sqs = mockClient(SQSClient);
  const client = new SQSClient({ region: 'eu-west-1' });
  /** Time (s after T0) and VisibilityTimeout of each ChangeMessageVisibility call. */
  let calls: Array<{ at: number; seconds: number; handle?: string }>;

  const heartbeat = (extra: Partial<ConstructorParameters<typeof JobHeartbeat>[0]> = {}) =>
    new JobHeartbeat({ client, queueUrl: QUEUE_URL, visibilityTimeoutMs: 60_000, heartbeatIntervalMs: 20_000, ...extra });

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    sqs.reset();
    calls = [];
    sqs.on(ChangeMessageVisibilityCommand).callsFake(input => {
      calls.push({ at: (Date.now() - T0) / 1000, seconds: input.VisibilityTimeout, handle: input.ReceiptHandle });
      return {};
    });
  });
  afterEach(() => jest.useRealTimers());

  test('extends the visibility by the visibility timeout every heartbeat interval', async () => {
    const visibility = heartbeat().keepVisible('handle-1');
    await jest.advanceTimersByTimeAsync(19_999);
    expect(calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(100_001);
    expect(calls).toEqual([20, 40, 60, 80, 100, 120].map(at => ({ at, seconds: 60, handle: 'handle-1' })));
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0].args[0].input).toEqual({
      QueueUrl: QUEUE_URL, ReceiptHandle: 'handle-1', VisibilityTimeout: 60,
    });
    expect(visibility.extensions).toBe(6);
    expect(visibility.signal.aborted).toBe(false);
    await visibility.stop();
  });

  test('the interval counts from each call, so slow calls do not push the heartbeats later', async () => {
    sqs.on(ChangeMessageVisibilityCommand).callsFake(async input => {
      calls.push({ at: (Date.now() - T0) / 1000, seconds: input.VisibilityTimeout });
      await new Promise(resolve => setTimeout(resolve, 5_000));
      return {};
    });
    const visibility = heartbeat().keepVisible('h');
    await jest.advanceTimersByTimeAsync(65_000);
    expect(calls.map(c => c.at)).toEqual([20, 40, 60]);
    await visibility.stop();
  });

  test('stops when the job completes: run() extends while the job runs and never after', async () => {
    let finish!: (v: string) => void;
    const result = heartbeat().run('h', () => new Promise<string>(resolve => { finish = resolve; }));
    await jest.advanceTimersByTimeAsync(50_000);
    finish('built');
    await expect(result).resolves.toBe('built');
    await jest.advanceTimersByTimeAsync(600_000);
    expect(calls.map(c => c.at)).toEqual([20, 40]);
  });

  test('stops when the job fails too, and passes its error on', async () => {
    const result = heartbeat().run('h', async () => {
      await new Promise(resolve => setTimeout(resolve, 30_000));
      throw new Error('bad input');
    });
    const settled = expect(result).rejects.toThrow('bad input');
    await jest.advanceTimersByTimeAsync(30_000);
    await settled;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(calls.map(c => c.at)).toEqual([20]);
  });

  test('stop() waits for an extension in flight, so the message can be deleted right after', async () => {
    let release!: () => void;
    sqs.on(ChangeMessageVisibilityCommand).callsFake(() => new Promise(resolve => { release = () => resolve({}); }));
    const visibility = heartbeat().keepVisible('h');
    await jest.advanceTimersByTimeAsync(20_000);
    let stopped = false;
    const stopping = visibility.stop().then(() => { stopped = true; });
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
  });

  test('stops and reports when an extension fails: the signal is aborted with the reason, once, and nothing more is sent', async () => {
    sqs.on(ChangeMessageVisibilityCommand)
      .resolvesOnce({})
      .rejects(new ReceiptHandleIsInvalid({ message: 'The receipt handle has expired', $metadata: {} }));
    const lost: JobVisibilityLostError[] = [];
    const visibility = heartbeat().keepVisible('h', { onLost: e => lost.push(e) });
    await jest.advanceTimersByTimeAsync(40_000);
    expect(visibility.signal.aborted).toBe(true);
    expect(lost).toHaveLength(1);
    const reason = visibility.signal.reason as JobVisibilityLostError;
    expect(reason).toBe(lost[0]);
    expect(reason).toBeInstanceOf(JobVisibilityLostError);
    expect(reason.reason).toBe(JobVisibilityLoss.EXTENSION_FAILED);
    expect(reason.receiptHandle).toBe('h');
    expect(reason.message).toMatch(/^extending the visibility of the job failed \(ReceiptHandleIsInvalid: The receipt handle has expired\): its message may reappear/);
    expect((reason.cause as Error).name).toBe('ReceiptHandleIsInvalid');
    expect(visibility.extensions).toBe(1);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(2);
    await visibility.stop();
  });

  test('an extension that fails after stop() is not a loss: the job finished, nothing is aborted or reported, nothing more is sent', async () => {
    let fail: (e: Error) => void = () => undefined;
    sqs.on(ChangeMessageVisibilityCommand).callsFake(() => new Promise((_resolve, reject) => { fail = reject; }));
    const lost: JobVisibilityLostError[] = [];
    const visibility = heartbeat().keepVisible('h', { onLost: e => lost.push(e) });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(1);
    const stopped = visibility.stop();
    fail(new Error('late failure'));
    await stopped;
    await jest.advanceTimersByTimeAsync(600_000);
    expect([visibility.signal.aborted, lost.length, sqs.commandCalls(ChangeMessageVisibilityCommand).length]).toEqual([false, 0, 1]);
  });

  test('an extension that succeeds after stop() schedules nothing more (no timer left behind)', async () => {
    let succeed: () => void = () => undefined;
    sqs.on(ChangeMessageVisibilityCommand).callsFake(() => new Promise(resolve => { succeed = () => resolve({}); }));
    const visibility = heartbeat().keepVisible('h');
    await jest.advanceTimersByTimeAsync(20_000);
    const stopped = visibility.stop();
    succeed();
    await stopped;
    expect(jest.getTimerCount()).toBe(0);
  });

  test('stop() between heartbeats cancels the next one (no timer left behind)', async () => {
    const visibility = heartbeat().keepVisible('h');
    await jest.advanceTimersByTimeAsync(25_000);
    expect(jest.getTimerCount()).toBe(1);
    await visibility.stop();
    expect(jest.getTimerCount()).toBe(0);
    expect(calls.map(c => c.at)).toEqual([20]);
  });

  test('a failure without a name is reported as an error, with its message', async () => {
    sqs.on(ChangeMessageVisibilityCommand).callsFake(() => Promise.reject({ message: 'socket hang up' }));
    const visibility = heartbeat().keepVisible('h');
    await jest.advanceTimersByTimeAsync(20_000);
    expect((visibility.signal.reason as Error).message).toMatch(/^extending the visibility of the job failed \(error: socket hang up\)/);
  });

  test('a job watching the signal stops when its visibility is lost', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('network down'));
    const result = heartbeat().run('h', signal => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason));
    }));
    const settled = expect(result).rejects.toThrow(JobVisibilityLostError);
    await jest.advanceTimersByTimeAsync(20_000);
    await settled;
  });

  test('never extends past the maximum job duration, and reports when it is reached', async () => {
    const lost: JobVisibilityLostError[] = [];
    const visibility = heartbeat({ maxJobDurationMs: 90_000 }).keepVisible('h', { onLost: e => lost.push(e) });
    await jest.advanceTimersByTimeAsync(89_999);
    // Each extension ends at the receipt + 90 s at the latest.
    expect(calls.map(c => [c.at, c.seconds])).toEqual([[20, 60], [40, 50], [60, 30], [80, 10]]);
    for (const c of calls) expect(c.at + c.seconds).toBeLessThanOrEqual(90);
    expect(visibility.signal.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(visibility.signal.aborted).toBe(true);
    expect(lost.map(e => e.reason)).toEqual([JobVisibilityLoss.MAX_JOB_DURATION]);
    expect(lost[0].message).toMatch(/^job ran for the maximum job duration \(90000 ms\): its message is visible again/);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(calls).toHaveLength(4);
  });

  test('a last whole second before the maximum job duration is still extended', async () => {
    const lost: JobVisibilityLostError[] = [];
    const visibility = heartbeat({ maxJobDurationMs: 21_500 }).keepVisible('h', { onLost: e => lost.push(e) });
    await jest.advanceTimersByTimeAsync(21_499);
    // 1.5 s left at the first heartbeat: extended by the 1 whole second, not given up.
    expect(calls.map(c => [c.at, c.seconds])).toEqual([[20, 1]]);
    expect([visibility.signal.aborted, lost.length]).toEqual([false, 0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(lost.map(e => e.reason)).toEqual([JobVisibilityLoss.MAX_JOB_DURATION]);
  });

  test('the maximum job duration counts from the receipt when given', async () => {
    const visibility = heartbeat({ maxJobDurationMs: 60_000 }).keepVisible('h', { receivedAtMs: T0 - 30_000 });
    await jest.advanceTimersByTimeAsync(30_000);
    // Received 30 s ago: the first heartbeat is due 20 s after the receipt (now), and may extend by 30 s only.
    expect(calls.map(c => [c.at, c.seconds])).toEqual([[0, 30], [20, 10]]);
    expect(visibility.signal.aborted).toBe(true);
  });

  test('the interval defaults to a third of the visibility timeout, the maximum to 12 hours (the SQS limit)', () => {
    const h = new JobHeartbeat({ client, queueUrl: QUEUE_URL, visibilityTimeoutMs: 30_000 });
    expect([h.heartbeatIntervalMs, h.maxJobDurationMs]).toEqual([10_000, 12 * 3600 * 1000]);
  });

  test('fromEnvironment reads the settings WorkerPool passes', () => {
    const h = JobHeartbeat.fromEnvironment(client, {
      [JobEnvironment.QUEUE_URL]: QUEUE_URL,
      [JobEnvironment.VISIBILITY_TIMEOUT_MS]: '45000',
      [JobEnvironment.HEARTBEAT_INTERVAL_MS]: '15000',
      [JobEnvironment.MAX_DURATION_MS]: '600000',
    });
    expect([h.queueUrl, h.visibilityTimeoutMs, h.heartbeatIntervalMs, h.maxJobDurationMs]).toEqual([QUEUE_URL, 45_000, 15_000, 600_000]);
  });

  test('fails when the environment lacks the queue or the visibility timeout', () => {
    expect(() => JobHeartbeat.fromEnvironment(client, { [JobEnvironment.VISIBILITY_TIMEOUT_MS]: '60000' })).toThrow('environment variable QUEUE_URL is not set');
    expect(() => JobHeartbeat.fromEnvironment(client, { QUEUE_URL })).toThrow('environment variable HA_JOB_VISIBILITY_TIMEOUT_MS is not set');
  });

  test('the visibility timeout\'s bounds are inclusive: 1 s and 12 h', () => {
    expect(heartbeat({ visibilityTimeoutMs: 1_000, heartbeatIntervalMs: 500 }).visibilityTimeoutMs).toBe(1_000);
    expect(heartbeat({ visibilityTimeoutMs: 12 * 3600 * 1000 }).visibilityTimeoutMs).toBe(43_200_000);
  });

  test.each([
    [{ heartbeatIntervalMs: 60_000 }, /^heartbeatIntervalMs \(60000\) must be above 0 and below visibilityTimeoutMs \(60000\): an extension must land before the visibility of the last one ends$/],
    [{ heartbeatIntervalMs: 0 }, /^heartbeatIntervalMs \(0\) must be above 0/],
    [{ visibilityTimeoutMs: 1_500 }, /^visibilityTimeoutMs \(1500\) must be whole seconds/],
    [{ visibilityTimeoutMs: 0 }, /^visibilityTimeoutMs \(0\) must be whole seconds from 1000/],
    [{ visibilityTimeoutMs: 13 * 3600 * 1000 }, /^visibilityTimeoutMs \(46800000\) must be whole seconds from 1000 to 43200000/],
    [{ maxJobDurationMs: 0 }, /^maxJobDurationMs \(0\) must be above 0 and at most 43200000/],
    [{ maxJobDurationMs: 12 * 3600 * 1000 + 1 }, /^maxJobDurationMs \(43200001\) must be above 0 and at most 43200000 \(SQS keeps a message invisible 12 h at most/],
  ])('fails when %j', (options, message) => {
    expect(() => heartbeat(options)).toThrow(message);
  });
});

describe('JobVisibilityLostError', () => {
  test('is named, and carries a cause only when it has one', () => {
    const plain = new JobVisibilityLostError(JobVisibilityLoss.EXTENSION_FAILED, 'receipt', 'lost');
    expect([plain.name, 'cause' in plain]).toEqual(['JobVisibilityLostError', false]);
    const caused = new JobVisibilityLostError(JobVisibilityLoss.EXTENSION_FAILED, 'receipt', 'lost', new Error('throttled'));
    expect((caused.cause as Error).message).toBe('throttled');
  });
});

/**
 * The hot standby no-loss property, simulated against a real Kinesis wire
 * protocol (kinesalite) and a real DynamoDB wire protocol (dynalite), both
 * started by the test on 127.0.0.1.
 *
 * Each run: a leader and a standby consume one shard with the runtime
 * clients (lease + fenced checkpoint + results written once per sequence
 * number). The leader is killed (or paused and later resumed as a zombie)
 * at a random point: before a GetRecords, between result writes, or between
 * the last result write and the checkpoint. The standby takes over when the
 * lease lapses and resumes at the last checkpoint. Every record's result
 * must exist exactly once, with the right content.
 */
import { AddressInfo } from 'net';
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand, _Record } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CheckpointFencedError, CheckpointStore, LeaseClient, putResultOnce } from '../../lib/runtime';
import { LocalDynamoDb, startLocalDynamoDb } from '../runtime/local-dynamodb';

interface KinesaliteServer {
  listen(port: number, host: string, cb: () => void): void;
  address(): AddressInfo;
  close(cb: () => void): void;
}

const RUNS = 100;
const RECORDS = 12;
const DURATION = 3_000;
const SKEW = 300;
const POLL = 500;
const TICK = 100;
const STREAM = 'input';

let db: LocalDynamoDb;
let kinesalite: KinesaliteServer;
let kinesis: KinesisClient;
let shardId: string;
let lastSequence: string;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createTable('Leases');
  await db.createTable('Results');
  kinesalite = (require('kinesalite') as (o: Record<string, number>) => KinesaliteServer)({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10 });
  await new Promise<void>(resolve => kinesalite.listen(0, '127.0.0.1', resolve));
  kinesis = new KinesisClient({
    endpoint: `http://127.0.0.1:${kinesalite.address().port}`,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    // kinesalite speaks HTTP/1.1 only (the Kinesis client defaults to HTTP/2)
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
  for (let i = 0; i < 50; i++) {
    const d = await kinesis.send(new DescribeStreamCommand({ StreamName: STREAM }));
    if (d.StreamDescription?.StreamStatus === 'ACTIVE') break;
    await new Promise(r => setTimeout(r, 20));
  }
  const out = await kinesis.send(new PutRecordsCommand({
    StreamName: STREAM,
    Records: Array.from({ length: RECORDS }, (_, i) => ({ Data: Buffer.from(`record-${i}`), PartitionKey: 'p' })),
  }));
  shardId = out.Records![0].ShardId!;
  lastSequence = out.Records![RECORDS - 1].SequenceNumber!;
});

afterAll(async () => {
  kinesis?.destroy();
  await new Promise<void>(resolve => kinesalite.close(() => resolve()));
  await db.stop();
});

/** The work: a pure function of the record. */
const resultOf = (r: _Record) => Buffer.from(r.Data!).toString('utf8').toUpperCase();

interface Consumer {
  readonly name: string;
  readonly lease: LeaseClient;
  readonly checkpoints: CheckpointStore;
  dead: boolean;
  pausedUntil: number;
  nextPoll: number;
  iterator?: string;
  /** Records fetched but not yet checkpointed. */
  batch: _Record[];
  done: number;
  token?: number;
}

describe('HotStandbyConsumer processing contract (kinesalite + dynalite)', () => {
  test('every record has exactly one result when the leader is killed at random points', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const takeovers: number[] = [];
    let zombieRuns = 0;
    let zombieFenced = 0;
    let duplicatesAbsorbed = 0;

    for (let run = 0; run < RUNS; run++) {
      let now = 1_000_000;
      const leaseName = `run-${run}`;
      const writes = new Map<string, number>();
      const make = (name: string, offset: number, firstPoll: number): Consumer => {
        const clock = () => now + offset;
        const lease = new LeaseClient({ client: db.client, tableName: 'Leases', leaseName, holderId: name, leaseDurationMs: DURATION, maxClockSkewMs: SKEW, clock });
        return { name, lease, checkpoints: new CheckpointStore({ client: db.client, tableName: 'Leases', lease, clock }), dead: false, pausedUntil: 0, nextPoll: firstPoll, batch: [], done: 0 };
      };
      const consumers = [
        make('a', Math.round((random() - 0.5) * SKEW), now),
        make('b', Math.round((random() - 0.5) * SKEW), now + TICK * (1 + Math.floor(random() * 4))),
      ];
      const zombie = random() < 0.5;
      if (zombie) zombieRuns++;
      // a run takes at least RECORDS result writes + 2 x ceil(RECORDS / 5) fetches and checkpoints
      const killAtOp = 1 + Math.floor(random() * (RECORDS + 2 * Math.ceil(RECORDS / 5)));
      let ops = 0;
      let killedAt: number | undefined;
      let killedToken: number | undefined;
      let finished = false;

      /** Counts an operation of the leader; kills (or pauses) it at the chosen one. Returns false when it must stop. */
      const step = (c: Consumer): boolean => {
        if (killedAt !== undefined || c.token === undefined) return true;
        if (++ops < killAtOp) return true;
        killedAt = now;
        killedToken = c.token;
        if (zombie) c.pausedUntil = now + DURATION + 2 * SKEW + POLL + Math.floor(random() * 2 * DURATION);
        else c.dead = true;
        return false;
      };

      const work = async (c: Consumer) => {
        if (c.dead || c.pausedUntil > now) return;
        const wasPaused = c.pausedUntil > 0;
        c.pausedUntil = 0;
        // a leader paused mid-batch resumes where it stopped, without checking its lease (the worst case)
        const resumedZombie = wasPaused && c.batch.length > 0;
        if (!resumedZombie && now >= c.nextPoll) {
          c.nextPoll = now + POLL;
          const wasLeader = c.token !== undefined;
          if (!(await c.lease.acquire())) { c.token = undefined; c.batch = []; c.iterator = undefined; return; }
          if (!wasLeader || c.token !== c.lease.token) {
            // took over: resume at the last checkpoint
            c.token = c.lease.token;
            if (killedAt !== undefined && c.token! > (killedToken ?? 0)) takeovers.push(now - killedAt);
            const from = await c.checkpoints.read(shardId);
            const it = await kinesis.send(new GetShardIteratorCommand(from
              ? { StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: from }
              : { StreamName: STREAM, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
            c.iterator = it.ShardIterator;
            c.batch = [];
          }
        }
        if (c.token === undefined) return;
        if (!resumedZombie && !c.lease.isValid()) return;
        if (c.batch.length === 0) {
          if (!step(c)) return;
          const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: c.iterator, Limit: 1 + Math.floor(random() * 5) }));
          c.iterator = out.NextShardIterator;
          c.batch = out.Records ?? [];
          if (c.batch.length === 0) return;
        }
        // write the results of the batch (idempotent, keyed by sequence number), then checkpoint
        while (c.done < c.batch.length) {
          if (!resumedZombie && !step(c)) return;
          const r = c.batch[c.done];
          const key = `${leaseName}#${r.SequenceNumber}`;
          if (await putResultOnce(db.client, 'Results', { pk: { S: key }, result: { S: resultOf(r) } })) {
            writes.set(key, (writes.get(key) ?? 0) + 1);
          } else {
            duplicatesAbsorbed++;
          }
          c.done++;
        }
        if (!resumedZombie && !step(c)) return;
        const last = c.batch[c.batch.length - 1];
        try {
          await c.checkpoints.write(shardId, last.SequenceNumber!, last.ApproximateArrivalTimestamp?.getTime());
        } catch (e) {
          if (!(e instanceof CheckpointFencedError)) throw e;
          zombieFenced++;
          c.token = undefined; c.batch = []; c.done = 0; c.iterator = undefined;
          return;
        }
        if (last.SequenceNumber === lastSequence) finished = true;
        c.batch = []; c.done = 0;
      };

      for (let t = 0; t < 2_000 && !(finished && consumers.every(c => c.dead || c.pausedUntil === 0)); t++) {
        for (const c of consumers) await work(c);
        now += TICK;
      }

      expect(finished).toBe(true);
      const keys = [];
      for (let i = 0; i < RECORDS; i++) keys.push(i);
      const got = await db.client.send(new BatchGetItemCommand({
        RequestItems: { Results: { Keys: [...writes.keys()].map(k => ({ pk: { S: k } })), ConsistentRead: true } },
      }));
      const results = got.Responses!.Results!;
      // no record lost: one result per record, with the right content; none written twice
      expect(writes.size).toBe(RECORDS);
      expect([...writes.values()].every(n => n === 1)).toBe(true);
      expect(results.map(i => i.result.S).sort()).toEqual(keys.map(i => `RECORD-${i}`).sort());
    }

    const sorted = [...takeovers].sort((x, y) => x - y);
    const bound = DURATION + 2 * SKEW + POLL + TICK;
    console.log(`hot standby no-loss: ${RUNS} runs x ${RECORDS} records, ${takeovers.length} takeovers ` +
      `(virtual ms: min ${sorted[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted[sorted.length - 1]}; bound ${bound} = lease ${DURATION} + 2 x skew ${SKEW} + poll ${POLL} + tick ${TICK}), ` +
      `${zombieRuns} runs with a resumed zombie leader, ${zombieFenced} zombie checkpoints fenced, ${duplicatesAbsorbed} duplicate result writes absorbed; ` +
      `takeover times: ${takeovers.join(',')}`);
    expect(takeovers.length).toBeGreaterThanOrEqual(RUNS * 0.9);
    expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(bound);
    expect(zombieFenced).toBeGreaterThan(0);
  });
});

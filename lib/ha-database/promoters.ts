import { CfnResource, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { HaValidationError } from '../core/errors';
import { renderedProperties } from '../private/rendered';

/** How a consumer of a database's writer reaches the writer after a cross-region promotion. */
export enum WriterFollowing {
  /** The consumer is moved in the promotion's workflow (it listens for the promoter's announcement, or asks the promoter itself). */
  MOVED_BY_PROMOTION = 'moved-by-promotion',
  /** The consumer connects through the Aurora global writer endpoint, which follows a switchover or failover by itself. */
  GLOBAL_WRITER_ENDPOINT = 'global-writer-endpoint',
}

/** Something that can promote a global database's secondary. */
export interface PromoterEntry {
  /** The function, plan or runbook that calls `FailoverGlobalCluster` or `SwitchoverGlobalCluster`. */
  readonly construct: IConstruct;
  /** What it is, for messages. */
  readonly description: string;
  /** Whether it runs without a person (a rule, a triggered plan, a consumer's automatic request). */
  readonly automatic: boolean;
}

/** A consumer of the writer that the database was told about. */
export interface ConsumerEntry {
  readonly construct: IConstruct;
  readonly following: WriterFollowing;
}

/**
 * The promoters of one global database and the consumers of its writer, and
 * the two checks the failure analysis makes of them at synthesis:
 * - at most one automatic promoter: two would race for the same
 *   `FailoverGlobalCluster` (the loser's first attempt fails) or promote
 *   without each other's consumers following;
 * - no consumer left behind: a task or function that holds the primary
 *   cluster's own writer endpoint, found in the synthesized environment of every
 *   task definition and function of the app, must be moved by the promotion or
 *   connect through the global writer endpoint; otherwise an automatic
 *   promotion leaves it writing to a cluster that is now read-only (or gone).
 */
export class PromotionRegistry {
  private readonly promoters: PromoterEntry[] = [];
  private readonly consumers: ConsumerEntry[] = [];

  constructor(private readonly database: IConstruct, private readonly cluster: CfnResource) {}

  public addPromoter(entry: PromoterEntry): void {
    this.promoters.push(entry);
  }

  public addConsumer(entry: ConsumerEntry): void {
    this.consumers.push(entry);
  }

  /** The automatic promoters, each construct once (the first entry that makes it automatic). */
  public get automaticPromoters(): PromoterEntry[] {
    const byPath = new Map<string, PromoterEntry>();
    for (const p of this.promoters) {
      if (p.automatic && !byPath.has(p.construct.node.path)) byPath.set(p.construct.node.path, p);
    }
    return [...byPath.values()];
  }

  /** Errors for more than one automatic promoter, and for each consumer left on the primary's writer endpoint. */
  public validate(): string[] {
    const errors: string[] = [];
    const automatic = this.automaticPromoters;
    if (automatic.length > 1) {
      errors.push(new HaValidationError(this.database, {
        prop: 'secondary (automatic promoters)',
        received: automatic.map(p => `${p.description} (${p.construct.node.path})`).join('; '),
        expected: 'exactly one automatic promoter per global database: two race for the same FailoverGlobalCluster and neither waits for the other\'s consumers. ' +
          'Keep the database\'s own promoter (failoverRunner LIBRARY_AUTOMATION) and let the others ask it, or turn the others\' automatic start off',
      }).message);
    }
    if (automatic.length === 0) return errors;
    for (const holder of this.holdersOfWriterEndpoint()) {
      if (this.consumers.some(c => holder.node.path === c.construct.node.path || holder.node.path.startsWith(`${c.construct.node.path}/`))) continue;
      errors.push(new HaValidationError(this.database, {
        prop: 'writer endpoint consumers',
        received: `${holder.node.path} holds the primary cluster's writer endpoint`,
        expected: `a consumer that follows a promotion: ${automatic[0].description} (${automatic[0].construct.node.path}) can make that cluster read-only. ` +
          'Connect it through the database\'s globalWriterEndpoint and call database.addWriterConsumer(consumer, WriterFollowing.GLOBAL_WRITER_ENDPOINT), ' +
          'or move it when the promoter announces a promotion (database.promotedEventPattern()) and call addWriterConsumer(consumer, WriterFollowing.MOVED_BY_PROMOTION)',
      }).message);
    }
    return errors;
  }

  /** Task definitions and functions of the app whose synthesized environment names the primary cluster's writer endpoint. */
  private holdersOfWriterEndpoint(): IConstruct[] {
    const logicalId = Stack.of(this.cluster).resolve(this.cluster.logicalId) as string;
    // In its own stack: Fn::GetAtt [cluster, Endpoint.Address]; in another stack of the region: an import named from it.
    const marks = [JSON.stringify([logicalId, 'Endpoint.Address']), `FnGetAtt${logicalId}EndpointAddress`];
    const holders: IConstruct[] = [];
    for (const c of this.database.node.root.node.findAll()) {
      let environment: unknown;
      if (c instanceof ecs.CfnTaskDefinition) {
        environment = ((renderedProperties(c).ContainerDefinitions ?? []) as Array<{ Environment?: unknown }>).map(d => d.Environment);
      } else if (c instanceof lambda.CfnFunction) {
        environment = renderedProperties(c).Environment;
      } else {
        continue;
      }
      const text = JSON.stringify(Stack.of(c).resolve(environment) ?? null);
      if (marks.some(m => text.includes(m))) holders.push(c.node.scope ?? c);
    }
    return holders;
  }
}

import { Duration } from 'aws-cdk-lib';

/**
 * A time an AWS service takes that no setting of ours shortens, with the
 * document it comes from. Recovery paths use these instead of literals, so
 * each figure lives in one place.
 */
export class ServiceTime {
  /** A Fargate task from launch to a running container: image pull, ENI attachment, container start. */
  public static readonly FARGATE_TASK_START = new ServiceTime('Fargate task start', Duration.seconds(60),
    'about 60 s for a small image: image pull, ENI attachment and container start (AWS Fargate documentation, task lifecycle)');

  /** Aurora promoting a reader to writer in the same region. */
  public static readonly AURORA_FAILOVER = new ServiceTime('Aurora Multi-AZ failover', Duration.seconds(30),
    'Aurora failover typically completes within 30 s (Amazon Aurora User Guide, "High availability for Amazon Aurora")');

  /** Aurora's cluster endpoint following the new writer. */
  public static readonly AURORA_ENDPOINT_DNS = new ServiceTime('Aurora cluster endpoint DNS', Duration.seconds(5),
    'the cluster endpoint record has a 5 s TTL (Amazon Aurora User Guide, "Amazon Aurora connection management")');

  /** RDS for SQL Server Multi-AZ failover. */
  public static readonly SQLSERVER_MULTI_AZ_FAILOVER = new ServiceTime('RDS Multi-AZ failover (SQL Server)', Duration.seconds(120),
    'SQL Server Multi-AZ failover takes 60 to 120 s (Amazon RDS User Guide, "Multi-AZ deployments for Amazon RDS for Microsoft SQL Server")');

  /**
   * A managed cross-region failover of an Aurora Global Database.
   * @deprecated No pattern counts it: the cross-region paths promote the secondary when the primary
   * region is lost (`AURORA_GLOBAL_PROMOTION`). Kept for apps that name it; removed in 1.0.
   */
  public static readonly AURORA_GLOBAL_FAILOVER = new ServiceTime('Aurora Global Database failover', Duration.minutes(2),
    'FailoverGlobalCluster typically completes in 1 to 2 minutes (Amazon Aurora User Guide, "Using switchover or failover in an Amazon Aurora global database")');

  /**
   * An Aurora Global Database secondary cluster promoted to take writes
   * (`FailoverGlobalCluster`): what AWS documents for a Region-wide outage.
   */
  public static readonly AURORA_GLOBAL_PROMOTION = new ServiceTime('Aurora Global Database promotion', Duration.seconds(60),
    'a secondary cluster can be promoted and made available for writes in under a minute (Amazon Aurora User Guide, "Using Amazon Aurora global databases", ' +
    'Advantages: disaster recovery from Region-wide outages)');

  /** A record change (`ChangeResourceRecordSets`) reaching every Route 53 authoritative name server. */
  public static readonly ROUTE53_CHANGE_PROPAGATION = new ServiceTime('Route 53 change propagation', Duration.seconds(60),
    'Route 53 propagates record changes to its authoritative name servers within 60 s under normal conditions (the change is then INSYNC) ' +
    '(Amazon Route 53 FAQ, "How quickly will changes I make to my DNS settings on Amazon Route 53 propagate globally?")');

  /** Adding a writer instance to a headless Aurora secondary cluster. */
  public static readonly AURORA_INSTANCE_START = new ServiceTime('Aurora instance creation', Duration.minutes(10),
    'creating a DB instance in a headless secondary cluster takes about 10 minutes (estimate; AWS publishes no bound)');

  /** Resolvers caching the global writer endpoint of an Aurora Global Database. */
  public static readonly AURORA_GLOBAL_ENDPOINT_DNS = new ServiceTime('global writer endpoint DNS', Duration.seconds(60),
    'resolvers may cache the global writer endpoint up to 60 s (assumed; AWS documents no TTL)');

  /** An alias record's answer, cached by resolvers for the target's TTL (60 s for Elastic Load Balancing). */
  public static readonly ALIAS_RECORD_CACHE = new ServiceTime('alias record cache', Duration.seconds(60),
    'resolvers cache an alias answer for the target\'s TTL: 60 s for Elastic Load Balancing targets (Route 53 Developer Guide, "Choosing between alias and non-alias records")');

  /** An alarm state change delivered by EventBridge to an SSM Automation runbook that updates a listener. */
  public static readonly EVENTBRIDGE_SSM_AUTOMATION = new ServiceTime('EventBridge + SSM Automation', Duration.seconds(15),
    'alarm state-change event delivery, runbook start and one API call: estimate (AWS publishes no bound)');

  /** An alarm state change delivered by EventBridge to a Lambda function that makes a few API calls. */
  public static readonly EVENTBRIDGE_LAMBDA_AUTOMATION = new ServiceTime('EventBridge + Lambda automation', Duration.seconds(10),
    'alarm state-change event delivery and a Lambda run of a few API calls: estimate (AWS publishes no bound)');

  /**
   * An ARC Region switch plan starting on its trigger: the trigger alarm's ALARM state seen and the
   * execution's first step started.
   */
  public static readonly REGION_SWITCH_TRIGGER = new ServiceTime('Region switch trigger', Duration.seconds(60),
    'trigger alarm seen and execution started: estimate (AWS publishes no bound; a practice execution\'s report shows the actual start)');

  /**
   * A documented time of a service this catalogue does not list.
   * @param name what takes the time, e.g. `Amazon MQ broker reboot`
   * @param duration the worst-case time
   * @param source the document it comes from (or `estimate: ...`)
   */
  public static of(name: string, duration: Duration, source: string): ServiceTime {
    return new ServiceTime(name, duration, source);
  }

  private constructor(
    /** What takes the time. */
    public readonly name: string,
    /** The worst-case time. */
    public readonly duration: Duration,
    /** The document the figure comes from. */
    public readonly source: string,
  ) {}
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * Running tasks of a service (Container Insights `RunningTaskCount`,
 * minimum over 1 minute unless `options` say otherwise): the one builder of
 * this metric for every pattern. The cluster needs Container Insights.
 */
export function metricRunningTasks(cluster: ecs.ICluster, service: ecs.IBaseService, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName: 'RunningTaskCount',
    dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: service.serviceName },
    statistic: 'Minimum',
    period: Duration.minutes(1),
    ...options,
  });
}

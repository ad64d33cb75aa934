import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';

/** Route 53 publishes health-check metrics in us-east-1 only. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/**
 * Status of a Route 53 health check: 1 healthy, 0 unhealthy (minimum over
 * 1 minute). The region is pinned to us-east-1 whatever `options` say.
 */
export function metricHealthCheckStatus(healthCheck: route53.IHealthCheck, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Route53',
    metricName: 'HealthCheckStatus',
    dimensionsMap: { HealthCheckId: healthCheck.healthCheckId },
    statistic: 'Minimum',
    period: Duration.minutes(1),
    ...options,
    region: ROUTE53_METRICS_REGION,
  });
}

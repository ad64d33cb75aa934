import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ActiveActiveCells, CellFileShare, FailoverNotifications } from '../../lib';
import { formatFindings, gateFindings, testApp, testEnv } from '../harness';

test('ActiveActiveCells passes cdk-nag AwsSolutions and the CloudFormation validation with default rules', () => {
  const app = testApp({ validation: true });
  const stack = new Stack(app, 'Cells', { env: testEnv() });
  const notifications = new FailoverNotifications(stack, 'Notifications', { emails: ['ops@example.com'] });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  new ActiveActiveCells(stack, 'Cells', { image, cellCount: 3, notifications });
  new ActiveActiveCells(stack, 'BucketCells', { image, cellCount: 2, fileShare: CellFileShare.S3_BUCKET, drainingCells: ['cell-2'] });
  expect(formatFindings(gateFindings(app))).toEqual([]);
});

import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ActiveActiveCells } from '../../lib';
import { testApp, testEnv } from '../harness';

describe('ActiveActiveCells data protection', () => {
  const stack = new Stack(testApp(), 'Cells', { env: testEnv() });
  new ActiveActiveCells(stack, 'Cells', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
  const template = Template.fromStack(stack);

  test('each cell\'s file share is backed up automatically (Guard CT.ELASTICFILESYSYSTEM.PR.2)', () => {
    template.allResourcesProperties('AWS::EFS::FileSystem', { BackupPolicy: { Status: 'ENABLED' } });
  });

  test('superseded update packages expire after 90 days (Guard CT.S3.PR.3 and PR.6)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' })] },
    });
  });
});

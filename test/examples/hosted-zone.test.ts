/**
 * Issue 11, defect 6: the examples created new public hosted zones with no
 * delegation, so DNS-validated certificates never validate and Route 53
 * health checks cannot resolve the site names. A user brings an existing
 * delegated zone by context; without one, synthesis says what to delegate.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { agentWorkspace } from '../../examples/agent-workspace';
import { testApp } from '../harness';

const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'ha.example.org' };

test('with -c hostedZoneId and -c hostedZoneName, the example creates no zone and every record and certificate uses the delegated one by its literal id', () => {
  const app = testApp({ context: ZONE });
  agentWorkspace.build(app);
  const assembly = app.synth();
  const templates = assembly.stacks.map(s => [s.stackName, s.template] as const);
  for (const [name, template] of templates) {
    Template.fromJSON(template).resourceCountIs('AWS::Route53::HostedZone', 0);
    const records = Template.fromJSON(template).findResources('AWS::Route53::RecordSet');
    for (const [id, record] of Object.entries(records)) {
      expect({ name, id, zone: record.Properties.HostedZoneId }).toEqual({ name, id, zone: ZONE.hostedZoneId });
    }
  }
  const all = JSON.stringify(templates);
  expect(all).toContain('agents.ha.example.org');
  expect(all).toContain(`"HostedZoneId":"${ZONE.hostedZoneId}"`); // the certificates' DNS validation
  const warnings = assembly.stacks.flatMap(s => s.messages).map(m => String(m.entry.data));
  expect(warnings.filter(w => w.includes('zone-not-delegated'))).toEqual([]);
});

test('without a delegated zone, the example creates one, outputs its name servers and warns in the cloud assembly what to delegate', () => {
  const app = testApp();
  agentWorkspace.build(app);
  const assembly = app.synth();
  const shared = assembly.getStackByName('agent-workspace-Shared');
  Template.fromJSON(shared.template).hasResourceProperties('AWS::Route53::HostedZone', { Name: 'agent-workspace.example.com.' });
  Template.fromJSON(shared.template).hasOutput('ZoneNameServers', { Value: { 'Fn::Join': [',', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Zone'), 'NameServers'] }] } });
  const warnings = shared.messages.filter(m => m.level === 'warning').map(m => String(m.entry.data));
  expect(warnings).toContainEqual(expect.stringMatching(
    /agent-workspace creates the new public hosted zone agent-workspace\.example\.com: it answers nothing until its NS records are delegated .* -c hostedZoneId=Z\.\.\. -c hostedZoneName=/));
});

test('one of the two context values alone is an error naming the missing one', () => {
  expect(() => agentWorkspace.build(testApp({ context: { hostedZoneId: ZONE.hostedZoneId } })))
    .toThrow('agent-workspace: give -c hostedZoneId=... and -c hostedZoneName=... together (got hostedZoneId only)');
});

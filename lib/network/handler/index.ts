import { EC2Client } from '@aws-sdk/client-ec2';
import { PEER_ROUTES_RESOURCE_TYPE, PEER_VPC_RESOURCE_TYPE, PeerRoutesProperties, PeerVpcProperties } from '../peering-resource';
import { applyPeerRoutes, findPeerVpc, PeeringRequest, PeeringResult, peeringResponse } from './peering';

/** One client per region the function reaches (the peer VPC's), created once. */
const clients = new Map<string, EC2Client>();
function ec2In(region: string): EC2Client {
  let client = clients.get(region);
  if (!client) clients.set(region, client = new EC2Client({ region }));
  return client;
}

/** Checks every 10 s, up to 4 minutes (the function's timeout is 5). */
const WAIT = { attempts: 24, intervalMs: 10_000, sleep: (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)) };

/**
 * The custom resources of an `InterRegionVpcPeering`, both invoked by
 * CloudFormation in the requester's region and acting in the peer's:
 * `Custom::InterRegionPeerVpc` (find the peer VPC by tag) and
 * `Custom::InterRegionPeerRoutes` (the peer side's routes).
 */
export async function handler(request: PeeringRequest<PeerVpcProperties | PeerRoutesProperties>): Promise<PeeringResult | undefined> {
  let result: PeeringResult | undefined;
  let error: unknown;
  try {
    const ec2 = ec2In(request.ResourceProperties.Region);
    if (request.ResourceType === PEER_VPC_RESOURCE_TYPE) {
      result = await findPeerVpc(ec2, request as PeeringRequest<PeerVpcProperties>);
    } else if (request.ResourceType === PEER_ROUTES_RESOURCE_TYPE) {
      result = await applyPeerRoutes(ec2, request as PeeringRequest<PeerRoutesProperties>, WAIT);
    } else {
      throw new Error(`unknown resource type ${request.ResourceType}`);
    }
  } catch (e) {
    error = e;
  }
  const body = JSON.stringify(peeringResponse(request, result, error));
  await fetch(request.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) } });
  console.log(JSON.stringify({ type: request.ResourceType, request: request.RequestType, result, error: error === undefined ? undefined : String(error) }));
  return result;
}

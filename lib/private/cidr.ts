import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The IPv4 CIDR of a VPC when it is known at synthesis: a VPC created in the
 * app (its `AWS::EC2::VPC` `CidrBlock`) or imported with its CIDR; undefined
 * otherwise (imported without one, or a token).
 */
export function knownCidr(vpc: ec2.IVpc): string | undefined {
  const cfn = vpc.node.defaultChild;
  if (cfn instanceof ec2.CfnVPC && typeof cfn.cidrBlock === 'string' && !Token.isUnresolved(cfn.cidrBlock)) return cfn.cidrBlock;
  let cidr: string | undefined;
  try {
    cidr = vpc.vpcCidrBlock;
  } catch {
    return undefined; // imported without vpcCidrBlock
  }
  return cidr !== undefined && !Token.isUnresolved(cidr) && parseCidr(cidr) ? cidr : undefined;
}

/** Whether two IPv4 CIDR blocks share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  return x.first <= y.last && y.first <= x.last;
}

function parseCidr(cidr: string): { first: number; last: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some(o => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

import { Template } from 'aws-cdk-lib/assertions';

/** A policy statement with its actions and resources as sorted lists, so two documents compare whatever their order. */
export interface Permission {
  readonly actions: string[];
  readonly resources: unknown[];
  readonly condition?: unknown;
}

/**
 * Every Allow statement of the policies attached to the role whose logical
 * id starts with `rolePrefix`, one entry per (actions, resources, condition):
 * what the role may do, and nothing else.
 */
export function permissionsOf(template: Template, rolePrefix: string): Permission[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } } }>;
  const statements = policies
    .filter(p => p.Properties.Roles.some(r => r.Ref.startsWith(rolePrefix)))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
  if (statements.length === 0) throw new Error(`no policy of a role ${rolePrefix}*`);
  return normalize(statements);
}

/** Normalizes expected statements the same way. */
export function permissions(...statements: Array<{ actions: string[]; resources: unknown[]; condition?: unknown }>): Permission[] {
  return normalize(statements.map(s => ({ Effect: 'Allow', Action: s.actions, Resource: s.resources, Condition: s.condition })));
}

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

function normalize(statements: Statement[]): Permission[] {
  // One entry per action and resource, then grouped back: the comparison ignores how statements were merged.
  const pairs = new Map<string, { action: string; resource: unknown; condition?: unknown }>();
  for (const s of statements) {
    if (s.Effect !== 'Allow') throw new Error(`unexpected ${s.Effect} statement`);
    for (const action of ([] as string[]).concat(s.Action)) {
      for (const resource of ([] as unknown[]).concat(s.Resource)) {
        pairs.set(JSON.stringify([action, resource, s.Condition ?? null]), { action, resource, condition: s.Condition });
      }
    }
  }
  return [...pairs.values()]
    .map(p => ({ actions: [p.action], resources: [p.resource], ...(p.condition ? { condition: p.condition } : {}) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** The context `cdk synth` sees: `cdk.json`'s context plus the committed `cdk.context.json` (availability zones). */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.context.json'), 'utf8'));
  return { ...cdkJson.context, ...committed };
}

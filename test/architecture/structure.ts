/**
 * Sizes of lib/ as a reader meets them: each constructor's body (from its
 * opening to its closing brace) and each file, in lines.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** A measured constructor. */
export interface ConstructorLength {
  readonly file: string;
  /** `<Class>.constructor`. */
  readonly name: string;
  readonly lines: number;
}

/** A measured file. */
export interface FileLength {
  readonly file: string;
  readonly lines: number;
}

function tsFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

function constructorsOf(source: string, file: string): ConstructorLength[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: ConstructorLength[] = [];
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node) => {
    if (ts.isConstructorDeclaration(node) && node.body) {
      const owner = ts.isClassLike(node.parent) && node.parent.name ? node.parent.name.text : '(anonymous)';
      found.push({ file, name: `${owner}.constructor`, lines: line(node.body.getEnd()) - line(node.body.getStart(sf)) + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every constructor with a body under `root`, longest first. */
export const constructorLengths = Object.assign(
  (root: string): ConstructorLength[] => tsFiles(root)
    .flatMap(f => constructorsOf(fs.readFileSync(path.join(root, f), 'utf8'), f))
    .sort((a, b) => b.lines - a.lines),
  { of: constructorsOf },
);

/** Every .ts file under `root` and its line count, longest first. */
export function fileLengths(root: string): FileLength[] {
  return tsFiles(root)
    .map(file => ({ file, lines: fs.readFileSync(path.join(root, file), 'utf8').split('\n').length - 1 }))
    .sort((a, b) => b.lines - a.lines);
}

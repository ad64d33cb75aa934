/**
 * The import graph of lib/ as a newcomer reads it: every relative `import`
 * and `export ... from`, type-only ones included, resolved to files; and its
 * circles (strongly connected components of more than one file, or a file
 * importing itself).
 */
import * as fs from 'fs';
import * as path from 'path';

/** File (relative to `root`) -> the files it imports. */
export type ImportGraph = Map<string, Set<string>>;

const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.[^'"]*)['"]/g;

/** The graph of the .ts files under `root` (declaration files and tests excluded). */
export function importGraph(root: string): ImportGraph {
  const files = walk(root).filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    graph.set(file, parseImports(fs.readFileSync(path.join(root, file), 'utf8'), file, known));
  }
  return graph;
}

/** The files `source` (at `file`) imports, among `known`. */
export function parseImports(source: string, file: string, known: Set<string>): Set<string> {
  const deps = new Set<string>();
  for (const m of source.matchAll(IMPORT)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
    const resolved = [`${target}.ts`, `${target}/index.ts`, target].find(c => known.has(c));
    if (resolved) deps.add(resolved);
  }
  return deps;
}

/** The circles of `graph`, each sorted, largest first (Tarjan's algorithm). */
export function importCircles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles.sort((a, b) => b.length - a.length);
}

/** The room of a file: its first folder under lib/ (`index` for lib/index.ts). */
export function roomOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0] : 'index';
}

function walk(root: string, dir = ''): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap(e => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    return e.isDirectory() ? walk(root, rel) : [rel];
  });
}

/**
 * ARCHITECTURE.md's rules, held by a test as well as by the lint rules
 * (import-x/no-cycle does not follow type-only imports): no import circle in
 * lib/, type-only imports included, and each room imports only the rooms
 * beneath it.
 */
import * as path from 'path';
import { importCircles, importGraph, parseImports, roomOf } from './import-graph';

const LIB = path.join(__dirname, '..', '..', 'lib');
const graph = importGraph(LIB);

/** What each room may import (ARCHITECTURE.md), itself always allowed. */
const PATTERN_ROOMS = ['web-tier', 'latency-dns', 'ha-database', 'config-server', 'singleton', 'hot-standby', 'warm-standby',
  'worker-pool', 'cells', 'multi-site'];
const BUILDING_BLOCKS = ['backup', 'network', 'lease'];
const BELOW_PATTERNS = ['core', 'private', 'runtime', 'failover'];
const ALLOWED: Record<string, string[]> = {
  runtime: [],
  private: ['runtime'],
  core: ['private', 'runtime'],
  failover: ['core', 'private', 'runtime'],
  ...Object.fromEntries(BUILDING_BLOCKS.map(r => [r, BELOW_PATTERNS])),
  ...Object.fromEntries(PATTERN_ROOMS.map(r => [r, [...BELOW_PATTERNS, ...BUILDING_BLOCKS, ...PATTERN_ROOMS]])),
  drills: [...BELOW_PATTERNS, ...BUILDING_BLOCKS, ...PATTERN_ROOMS],
  report: [...BELOW_PATTERNS],
  prove: [...BELOW_PATTERNS, 'report'],
  cli: [...BELOW_PATTERNS, 'report', 'prove'],
};

test('lib/ has no import circle, type-only imports included', () => {
  expect(graph.size).toBeGreaterThan(100);
  expect(importCircles(graph)).toEqual([]);
});

test('each room imports only the rooms beneath it', () => {
  const violations: string[] = [];
  for (const [file, deps] of graph) {
    const from = roomOf(file);
    if (from === 'index') continue;
    const allowed = ALLOWED[from];
    if (!allowed) {
      violations.push(`${file}: room '${from}' has no place in ARCHITECTURE.md`);
      continue;
    }
    for (const dep of deps) {
      const to = roomOf(dep);
      if (to !== from && !allowed.includes(to)) violations.push(`${file} imports ${dep} (${from} -> ${to})`);
    }
  }
  expect(violations).toEqual([]);
});

describe('the graph finds what it must (negative controls)', () => {
  const known = new Set(['a/pair.ts', 'a/validation.ts', 'a/index.ts', 'b/c.ts']);

  test('a type-only circle between a construct and its validation', () => {
    const circles = importCircles(new Map([
      ['a/pair.ts', parseImports("import { validate } from './validation';\n", 'a/pair.ts', known)],
      ['a/validation.ts', parseImports("import type { Pair, PairProps } from './pair';\n", 'a/validation.ts', known)],
    ]));
    expect(circles).toEqual([['a/pair.ts', 'a/validation.ts']]);
  });

  test('re-exports, folder imports and multi-line imports are edges; packages are not', () => {
    const deps = parseImports([
      "export * from './validation';",
      "import {\n  C,\n} from '../b/c';",
      "import * as cdk from 'aws-cdk-lib';",
      "import '.';",
    ].join('\n'), 'a/pair.ts', known);
    expect([...deps].sort()).toEqual(['a/index.ts', 'a/validation.ts', 'b/c.ts']);
  });
});

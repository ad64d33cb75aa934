/**
 * ARCHITECTURE.md's size rules: a constructor reads as a table of contents
 * (it calls named steps; none over 60 lines) and no file of lib/ is over 450
 * lines. Measured with the TypeScript parser, so comments and blank lines
 * inside a body count as a reader meets them.
 */
import * as path from 'path';
import { constructorLengths, fileLengths } from './structure';

const LIB = path.join(__dirname, '..', '..', 'lib');
const MAX_CONSTRUCTOR = 60;
const MAX_FILE = 450;

test(`no constructor in lib/ is over ${MAX_CONSTRUCTOR} lines`, () => {
  const constructors = constructorLengths(LIB);
  expect(constructors.length).toBeGreaterThan(50);
  expect(constructors.filter(c => c.lines > MAX_CONSTRUCTOR).map(c => `${c.file} ${c.name}: ${c.lines} lines`)).toEqual([]);
});

test(`no file in lib/ is over ${MAX_FILE} lines`, () => {
  const files = fileLengths(LIB);
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter(f => f.lines > MAX_FILE).map(f => `${f.file}: ${f.lines} lines`)).toEqual([]);
});

describe('the measure finds what it must (negative controls)', () => {
  test('a constructor is measured from its opening to its closing brace; methods and functions are not constructors', () => {
    const source = [
      'export class A {',
      '  constructor() {',
      '    one();',
      '    two();',
      '  }',
      '  method() {',
      '    x();',
      '  }',
      '}',
      'class B extends A { constructor() { super(); } }',
      'function f() {',
      '}',
    ].join('\n');
    expect(constructorLengths.of(source, 'a.ts')).toEqual([
      { file: 'a.ts', name: 'A.constructor', lines: 4 },
      { file: 'a.ts', name: 'B.constructor', lines: 1 },
    ]);
  });

  test('a constructor without a body (an overload or a declaration) is not measured', () => {
    expect(constructorLengths.of('declare class C { constructor(x: string); }', 'c.ts')).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/spawn.js';

const MAX_LINES = 80;

/** Every function (declarations, methods, arrows, expressions) of one source text longer than `max` lines, from its first token to its closing brace. */
function longFunctions(file: string, text: string, max = MAX_LINES): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as { name?: ts.Node }).name ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name : undefined);
      const name = named?.getText(source) ?? '(anonymous)';
      if (last - first + 1 > max) found.push(`${file}:${first + 1} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  it(`no function in src (outside src/dev and src/demo) is over ${MAX_LINES} lines`, () => {
    const src = join(ROOT, 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => relative(ROOT, join(src, f)))
      .filter((f) => !/^src\/(dev|demo)\//.test(f));
    expect(files.length).toBeGreaterThan(150);
    expect(files.flatMap((f) => longFunctions(f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('the count sees every kind of function, nested ones too', () => {
    const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  const x${i} = ${i};`).join('\n');
    const text = [
      `export function declared() {\n${body(81)}\n}`,
      `export const arrow = async () => {\n${body(81)}\n};`,
      `class C {\n  method() {\n${body(81)}\n  }\n}`,
      `export function outer() {\n  return function inner() {\n${body(81)}\n  };\n}`,
      `export function short() {\n${body(80)}\n}`,
    ].join('\n');
    expect(longFunctions('planted.ts', text).map((l) => l.replace(/:\d+/, ''))).toEqual([
      'planted.ts declared (81 lines)',
      'planted.ts arrow (81 lines)',
      'planted.ts method (81 lines)',
      'planted.ts outer (83 lines)',
      'planted.ts inner (81 lines)',
    ]);
  });
});

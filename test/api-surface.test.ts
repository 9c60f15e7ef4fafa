import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/**
 * The public API is what the README documents: each entry point's exports (names and kinds) are
 * recorded in api/<entry>.api.txt, a reviewed file. An accidental change to an entry point fails
 * here; an intended one is recorded with `ASR_UPDATE_API=1 npx jest test/api-surface.test.ts` and
 * reviewed in the diff. The cdktn entry point is built from the cdktf source (scripts/flavours.cjs),
 * so it has the cdktf surface.
 */
const root = join(__dirname, '..');
const ENTRY_POINTS = {
  domain: 'constructs/domain/index.ts',
  cdktf: 'constructs/cdktf/index.ts',
  pulumi: 'constructs/pulumi/index.ts',
} as const;

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

function surface(program: ts.Program, file: string): string {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(root, file));
  if (!source) throw new Error(`no source file ${file}`);
  const module = checker.getSymbolAtLocation(source)!;
  const lines = checker.getExportsOfModule(module).map((s) => {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    return `${kindOf(target)} ${s.getName()}`;
  });
  return `${[...new Set(lines)].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!)).join('\n')}\n`;
}

describe('public API surface', () => {
  const program = ts.createProgram(
    Object.values(ENTRY_POINTS).map((f) => join(root, f)),
    {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
    it(`${entry}: the exports match api/${entry}.api.txt`, () => {
      const recorded = join(root, 'api', `${entry}.api.txt`);
      const actual = surface(program, file);
      if (process.env.ASR_UPDATE_API === '1') writeFileSync(recorded, actual);
      expect(actual).toBe(readFileSync(recorded, 'utf8'));
    });
  }

  it('keeps internals out of the domain entry point', () => {
    const domain = readFileSync(join(root, 'api', 'domain.api.txt'), 'utf8');
    for (const internal of [
      'handOver',
      'handedOver',
      'RuleSet',
      'resolveRecoveryVault',
      'checkName',
      'uuidV5',
    ])
      expect(domain).not.toMatch(new RegExp(` ${internal}\\n`));
  });
});

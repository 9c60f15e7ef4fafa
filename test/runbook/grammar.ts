import { readFileSync } from 'node:fs';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

let parser: Parser | undefined;

/** A parser for PowerShell from the tree-sitter-powershell grammar (WebAssembly, no native build). */
export async function powershellParser(): Promise<Parser> {
  if (parser) return parser;
  await Parser.init();
  const language = await Language.load(
    readFileSync(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm')),
  );
  parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Every syntax error in a tree: ERROR nodes and nodes the parser had to invent. */
export function syntaxErrors(tree: Tree, source: string): string[] {
  const found: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'ERROR' || n.isMissing) {
      const text = source.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 60)).replace(/\n/g, '\\n');
      found.push(
        `${n.isMissing ? `missing ${n.type}` : 'error'} at ${n.startPosition.row + 1}:${n.startPosition.column + 1}: ${text}`,
      );
    }
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  return found;
}

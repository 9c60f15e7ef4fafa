import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import * as ts from 'typescript';

/**
 * The checks behind test/docs/docs.test.ts: every TypeScript block of the documentation compiles as
 * a consumer's file would, and every relative link and anchor resolves. Pure functions of the page
 * texts, so that the test can feed them a broken page in memory.
 */

/** A documentation page: its path relative to the repository root (POSIX separators) and its text. */
export interface Page {
  readonly path: string;
  readonly text: string;
}

/** A fenced code block: its info string's first word, its text, and the page line of its first line. */
export interface CodeBlock {
  readonly page: string;
  readonly lang: string;
  readonly code: string;
  readonly line: number;
}

/** The pages the checks cover: the README, everything under docs/, and the examples' README. */
export function documentationPages(root: string): Page[] {
  const paths = ['README.md', ...markdownUnder(root, 'docs'), 'examples/README.md'];
  return paths.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

function markdownUnder(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir))
    .sort()
    .flatMap((name) => {
      const rel = posix.join(dir, name);
      if (statSync(join(root, rel)).isDirectory()) return markdownUnder(root, rel);
      return name.endsWith('.md') ? [rel] : [];
    });
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/;

/** Splits a page into lines and marks each line that lies inside a fenced code block (fences included). */
function fencedLines(text: string): { lines: string[]; fenced: boolean[] } {
  const lines = text.split('\n');
  const fenced: boolean[] = [];
  let open: string | undefined;
  for (const line of lines) {
    const m = FENCE.exec(line);
    if (open === undefined && m) {
      open = m[2]!;
      fenced.push(true);
    } else if (open !== undefined) {
      fenced.push(true);
      if (m && m[2]!.startsWith(open[0]!) && m[2]!.length >= open.length && m[3] === '') open = undefined;
    } else fenced.push(false);
  }
  return { lines, fenced };
}

/** Every fenced code block of a page. */
export function codeBlocks(page: Page): CodeBlock[] {
  const lines = page.text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (!m) continue;
    const fence = m[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]!);
      if (close && close[2]![0] === fence[0] && close[2]!.length >= fence.length && close[3] === '') break;
      body.push(lines[j]!);
    }
    blocks.push({ page: page.path, lang: m[3]!.toLowerCase(), code: body.join('\n'), line: i + 2 });
    i = j;
  }
  return blocks;
}

/** The blocks a consumer would copy into a TypeScript file. */
export const isTypeScript = (block: CodeBlock): boolean => block.lang === 'ts' || block.lang === 'typescript';

/**
 * How a consumer's import of this package resolves inside the repository: each entry point to its
 * source, as tsconfig.json, jest.config.js and the examples do. `cdktn` is the same adapter source
 * compiled against the CDK Terrain bindings (tsconfig.cdktn.json, scripts/flavours.cjs).
 */
function compilerOptions(root: string, flavour: 'cdktf' | 'cdktn'): ts.CompilerOptions {
  const self = {
    'asr-mobility-autoupdate': ['constructs/domain/index.ts'],
    'asr-mobility-autoupdate/domain': ['constructs/domain/index.ts'],
    'asr-mobility-autoupdate/cdktf': ['constructs/cdktf/index.ts'],
    'asr-mobility-autoupdate/pulumi': ['constructs/pulumi/index.ts'],
  };
  const cdktn = {
    'asr-mobility-autoupdate/cdktn': ['constructs/cdktf/index.ts'],
    cdktf: ['node_modules/cdktn'],
    'cdktf/*': ['node_modules/cdktn/*'],
    '@cdktf/provider-azurerm/*': ['node_modules/@cdktn/provider-azurerm/*'],
  };
  return {
    target: ts.ScriptTarget.ES2022,
    // As tsconfig.json: Node's own resolution (TypeScript 7 dropped node10), CommonJS by package.json.
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    // Absolute targets: TypeScript 7 has no baseUrl.
    paths: Object.fromEntries(
      Object.entries(flavour === 'cdktf' ? self : { ...self, ...cdktn }).map(([k, v]) => [
        k,
        v.map((target) => join(root, target)),
      ]),
    ),
  };
}

/** Parsed files of the repository and node_modules, by name (they do not change during a run). */
const parsed = new Map<string, ts.SourceFile>();

/** A block's virtual file name: beside its page, so that relative resolution starts there. */
const virtualFile = (root: string, block: CodeBlock, index: number): string =>
  join(root, dirname(block.page), `${block.page.replace(/[/.]/g, '_')}_${block.line}_${index}.docblock.ts`);

/**
 * Compiles the TypeScript blocks as consumer files (one program per Terraform flavour: blocks that
 * import `asr-mobility-autoupdate/cdktn` against the CDK Terrain bindings, all others in one
 * program) and returns one line per diagnostic: `page:line:column TSnnnn message`.
 */
export function compileBlocks(root: string, blocks: readonly CodeBlock[]): string[] {
  const isCdktn = (b: CodeBlock) => /from\s+['"](asr-mobility-autoupdate\/cdktn|cdktn)['"]/.test(b.code);
  const out: string[] = [];
  for (const flavour of ['cdktf', 'cdktn'] as const) {
    const mine = blocks.filter((b) => isTypeScript(b) && isCdktn(b) === (flavour === 'cdktn'));
    if (mine.length === 0) continue;
    const files = new Map<string, CodeBlock>();
    // `export {}` makes every block a module of its own, so that blocks never share a scope.
    const sources = new Map<string, string>();
    mine.forEach((b, i) => {
      const name = virtualFile(root, b, i);
      files.set(name, b);
      sources.set(name, `${b.code}\nexport {};\n`);
    });
    const options = compilerOptions(root, flavour);
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const text = sources.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
      // Files on disk are parsed once per process: both programs, and every call, share them.
      let sf = parsed.get(fileName);
      if (!sf) {
        sf = getSourceFile(fileName, languageVersion, onError, shouldCreate);
        if (sf) parsed.set(fileName, sf);
      }
      return sf;
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (fileName) => sources.has(fileName) || fileExists(fileName);
    const readFile = host.readFile.bind(host);
    host.readFile = (fileName) => sources.get(fileName) ?? readFile(fileName);
    const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
    for (const [name, block] of files) {
      const sf = program.getSourceFile(name)!;
      const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      for (const d of diagnostics) {
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        out.push(`${block.page}:${block.line + line}:${character + 1} TS${d.code} ${message}`);
      }
    }
    for (const d of program.getOptionsDiagnostics()) {
      out.push(`(compiler options) TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return out;
}

/** GitHub's heading anchor: lower case, punctuation and symbols dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page defines: its headings' slugs (repeats numbered as GitHub does) and HTML ids. */
export function anchors(page: Page): Set<string> {
  const { lines, fenced } = fencedLines(page.text);
  const seen = new Map<string, number>();
  const out = new Set<string>();
  lines.forEach((line, i) => {
    if (fenced[i]) return;
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  });
  return out;
}

/** A link of a page: its target as written and the line it is on. */
export interface Link {
  readonly page: string;
  readonly target: string;
  readonly line: number;
}

/** Every Markdown link, image and reference definition of a page, outside code blocks and code spans. */
export function links(page: Page): Link[] {
  const { lines, fenced } = fencedLines(page.text);
  const out: Link[] = [];
  lines.forEach((line, i) => {
    if (fenced[i]) return;
    const prose = line.replace(/(`+)[\s\S]*?\1/g, (m) => ' '.repeat(m.length));
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ page: page.path, target: m[1]!, line: i + 1 });
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (def) out.push({ page: page.path, target: def[1]!, line: i + 1 });
  });
  return out;
}

/**
 * Checks every relative link of the pages: the file or folder exists (a page of `pages`, or a file
 * under `root`), and its `#anchor`, if any, is one the target page defines. Links with a scheme
 * (`https:`, `mailto:`) are not followed. Returns one line per broken link: `page:line target: why`.
 */
export function brokenLinks(root: string, pages: readonly Page[]): string[] {
  const byPath = new Map(pages.map((p) => [p.path, p]));
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (path: string): Set<string> => {
    let a = anchorCache.get(path);
    if (!a) {
      const page = byPath.get(path) ?? { path, text: readFileSync(join(root, path), 'utf8') };
      a = anchors(page);
      anchorCache.set(path, a);
    }
    return a;
  };
  const out: string[] = [];
  for (const page of pages) {
    for (const link of links(page)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue;
      const hash = link.target.indexOf('#');
      const file = hash < 0 ? link.target : link.target.slice(0, hash);
      const anchor = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
      const path =
        file === '' ? page.path : posix.normalize(posix.join(posix.dirname(page.path), decodeURI(file)));
      const where = `${page.path}:${link.line} ${link.target}`;
      if (path.startsWith('../') || path === '..') {
        out.push(`${where}: points outside the repository`);
        continue;
      }
      const exists = byPath.has(path) || existsSync(join(root, path));
      if (!exists) {
        out.push(`${where}: no such file (${path})`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!path.endsWith('.md')) {
        out.push(`${where}: an anchor into a file that is not a Markdown page`);
        continue;
      }
      if (!anchorsOf(path).has(anchor)) out.push(`${where}: no heading of ${path} has the anchor #${anchor}`);
    }
  }
  return out;
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Part of `npm run bench`: the raw cdktf baseline. The Terraform resources our app synthesizes,
 * with the same inputs, declared by hand with the provider binding's classes (deep imports), no
 * domain model, no validation, no constructs of ours, and synthesized by cdktf the same way. It
 * tells cdktf's own resource construction and synthesis (which no library on cdktf avoids) apart
 * from ours.
 *
 * The program is generated from our synthesized output (each stack's cdk.tf.json), the way a person
 * would write it: `new App()`, one `TerraformStack` per stack, the provider, the backend, each
 * resource from its class with camelCase props (map attributes keep their keys), references as
 * attribute references of the declared objects, `Fn` calls for Terraform functions, the same
 * lifecycle and dependencies, and a `TerraformResource` with overrides for what the bindings lack.
 * Which props are blocks, maps or plain values comes from the binding's own generated code (its
 * `synthesizeAttributes` and `...ToTerraform` functions), not from a hand table.
 *
 * `node scripts/ts-run.js bench/cdktf-raw.ts <ours-outdir> <program.ts> [--check <raw-outdir>]`
 * writes the program; with `--check` it also synthesizes it and fails unless every stack's
 * cdk.tf.json equals ours once cdktf's `//` metadata is removed.
 */

export type Flavour = 'cdktf' | 'cdktn';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mapSpecifier } = require('../scripts/flavours.cjs') as {
  mapSpecifier: (specifier: string, flavour: Flavour) => string | undefined;
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ------------------------------------------------------------------- the bindings, read statically

/** How a binding passes one Terraform argument: as is, as a map (keys kept), or as a nested block. */
interface Attr {
  readonly prop: string;
  readonly kind: 'plain' | 'map' | 'block';
  /** The block's `...ToTerraform` function, when kind is block. */
  readonly block?: string;
}
type Attrs = ReadonlyMap<string, Attr>;

interface BindingModule {
  /** The module specifier as the program imports it (the cdktf spelling; ts-run maps it for cdktn). */
  readonly specifier: string;
  readonly className: string;
  /** Top-level arguments: Terraform name -> config prop. */
  readonly attrs: Attrs;
  /** Nested blocks, by `...ToTerraform` function name. */
  readonly blocks: ReadonlyMap<string, Attrs>;
  /** Getters of every class the module declares: class -> getter -> declared type. */
  readonly getters: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** For providers: the `required_providers` entry the binding synthesizes. */
  readonly required?: { readonly version?: string; readonly source?: string };
}

/** One line of a generated `synthesizeAttributes` or `...ToTerraform` body: `tf_name: <mapper>(<source>.<prop>...)`. */
const ATTR_LINE = /^\s+([a-z0-9_]+): (.*)$/;

function parseAttrLines(
  body: string,
  source: 'this._' | 'struct.',
  fields: ReadonlyMap<string, string>,
): Attrs {
  const attrs = new Map<string, Attr>();
  for (const line of body.split('\n')) {
    const m = ATTR_LINE.exec(line);
    if (!m) continue;
    const [, tf, expr] = m as unknown as [string, string, string];
    const refs = [...expr.matchAll(source === 'this._' ? /this\._(\w+)/g : /struct\.(\w+)/g)];
    const field = refs[refs.length - 1]?.[1];
    if (!field) continue;
    const prop = source === 'this._' ? fields.get(field) : field;
    if (!prop) throw new Error(`cannot tell the config prop of ${tf} (field _${field})`);
    const block = /(?<![.\w])(\w+ToTerraform)\b/.exec(expr)?.[1];
    if (/\.hashMapper\(/.test(expr)) {
      if (block) throw new Error(`${tf}: a map of blocks is not supported`);
      attrs.set(tf, { prop, kind: 'map' });
    } else if (block) attrs.set(tf, { prop, kind: 'block', block });
    else attrs.set(tf, { prop, kind: 'plain' });
  }
  return attrs;
}

function parseGetters(dts: string): Map<string, Map<string, string>> {
  const classes = new Map<string, Map<string, string>>();
  for (const c of dts.matchAll(/export declare class (\w+) [^{]*\{([\s\S]*?)\n\}/g)) {
    const getters = new Map<string, string>();
    for (const g of c[2]!.matchAll(/^\s+get (\w+)\(\): ([^;]+);/gm)) getters.set(g[1]!, g[2]!.trim());
    classes.set(c[1]!, getters);
  }
  return classes;
}

/**
 * The binding's module for a Terraform type (`azurerm_automation_account` ->
 * `@cdktf/provider-azurerm/lib/automation-account`), read from its compiled code, or undefined when
 * the flavour's bindings have no class for it. `provider` reads the provider's module.
 */
function loadBinding(
  root: string,
  flavour: Flavour,
  type: string,
  what: 'resource' | 'data' | 'provider',
): BindingModule | undefined {
  const provider = what === 'provider' ? type : type.slice(0, type.indexOf('_'));
  const name =
    what === 'provider'
      ? 'provider'
      : `${what === 'data' ? `data-${provider}-` : ''}${type.slice(provider.length + 1).replace(/_/g, '-')}`;
  const specifier = `@cdktf/provider-${provider}/lib/${name}`;
  const mapped = mapSpecifier(specifier, flavour) ?? specifier;
  let file: string;
  try {
    file = require.resolve(mapped, { paths: [root] });
  } catch {
    return undefined;
  }
  const js = readFileSync(file, 'utf8');
  const cls = new RegExp(`(\\w+)\\.tfResourceType = "${type}";`).exec(js)?.[1];
  if (!cls) return undefined;
  const fields = new Map<string, string>();
  for (const m of js.matchAll(/this\._(\w+)(?:\.internalValue)? = config\.(\w+);/g)) fields.set(m[1]!, m[2]!);
  const body = new RegExp(
    `class ${cls} extends[\\s\\S]*?synthesizeAttributes\\(\\) \\{([\\s\\S]*?)\\n {4}\\}`,
  ).exec(js)?.[1];
  if (!body) throw new Error(`${mapped}: no synthesizeAttributes in ${cls}`);
  const blocks = new Map<string, Attrs>();
  for (const f of js.matchAll(/^function (\w+ToTerraform)\(struct\) \{([\s\S]*?)^\}/gm))
    blocks.set(f[1]!, parseAttrLines(f[2]!, 'struct.', fields));
  const meta = /providerVersion: '([^']+)'/.exec(js)?.[1];
  const source = /terraformProviderSource: '([^']+)'/.exec(js)?.[1];
  return {
    specifier,
    className: cls,
    attrs: parseAttrLines(body, 'this._', fields),
    blocks,
    getters: parseGetters(readFileSync(file.replace(/\.js$/, '.d.ts'), 'utf8')),
    ...(what === 'provider' ? { required: { version: meta, source } } : {}),
  };
}

/** The static methods of cdktf's `Fn` in the flavour: the Terraform functions a program can call. */
function fnMethods(root: string, flavour: Flavour): Set<string> {
  const pkg = mapSpecifier('cdktf', flavour) ?? 'cdktf';
  const dir = dirname(require.resolve(`${pkg}/package.json`, { paths: [root] }));
  const dts = readFileSync(join(dir, 'lib', 'functions', 'terraform-functions.generated.d.ts'), 'utf8');
  return new Set([...dts.matchAll(/^\s+static (\w+)\(/gm)].map((m) => m[1]!));
}

// ------------------------------------------------------------------- Terraform expressions

/** The subset of Terraform expressions a hand-written cdktf program produces: references, calls, literals. */
type Expr =
  | { readonly kind: 'ref'; readonly address: string; readonly path: string }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number };

class Unparsed extends Error {}

/** Parses the expression of `${...}` starting at `s[i]`; returns it and the index after its closing `}`. */
function parseInterpolation(s: string, start: number, known: ReadonlySet<string>): [Expr, number] {
  let i = start;
  const ws = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const ident = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(i, i + 300));
    if (!m) throw new Unparsed(`identifier expected at ${i}`);
    i += m[0].length;
    return m[0];
  };
  const expr = (): Expr => {
    ws();
    const c = s[i];
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') {
          text += JSON.parse(`"${s.slice(j, j + 2)}"`) as string;
          j += 2;
        } else text += s[j++];
      }
      if (j >= s.length || text.includes('${')) throw new Unparsed('string literal');
      i = j + 1;
      return { kind: 'string', value: text };
    }
    if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(s.slice(i));
      if (!m) throw new Unparsed('number');
      i += m[0].length;
      return { kind: 'number', value: Number(m[0]) };
    }
    const head = ident();
    ws();
    if (s[i] === '(') {
      i++;
      const args: Expr[] = [];
      ws();
      while (s[i] !== ')') {
        args.push(expr());
        ws();
        if (s[i] === ',') i++;
        else if (s[i] !== ')') throw new Unparsed(`',' or ')' expected at ${i}`);
        ws();
      }
      i++;
      return { kind: 'call', fn: head, args };
    }
    const parts = [head];
    let path = '';
    for (;;) {
      if (s[i] === '.') {
        i++;
        const name = ident();
        if (parts.length < (head === 'data' ? 3 : 2)) parts.push(name);
        else path += `${path ? '.' : ''}${name}`;
      } else if (s[i] === '[') {
        const m = /^\[(\d+)\]/.exec(s.slice(i));
        if (!m || parts.length < (head === 'data' ? 3 : 2)) throw new Unparsed('index');
        i += m[0].length;
        path += m[0];
      } else break;
    }
    const address = parts.join('.');
    if (!known.has(address)) throw new Unparsed(`not a declared resource: ${address}`);
    if (!path) throw new Unparsed(`a whole resource: ${address}`);
    return { kind: 'ref', address, path };
  };
  const e = expr();
  ws();
  if (s[i] !== '}') throw new Unparsed(`'}' expected at ${i}`);
  return [e, i + 1];
}

/** A string split into literal text and interpolations that name declared resources. */
function parseTemplate(s: string, known: ReadonlySet<string>): (string | Expr)[] {
  const pieces: (string | Expr)[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '$${';
      i += 3;
    } else if (s.startsWith('${', i)) {
      try {
        const [e, next] = parseInterpolation(s, i + 2, known);
        if (text) pieces.push(text);
        text = '';
        pieces.push(e);
        i = next;
      } catch (err) {
        if (!(err instanceof Unparsed)) throw err;
        text += '${';
        i += 2;
      }
    } else text += s[i++];
  }
  if (text) pieces.push(text);
  // Text left literal (a PowerShell `${What}` in a runbook) must not name a resource we failed to read.
  for (const p of pieces)
    if (typeof p === 'string')
      for (const m of p.matchAll(/\$\{[^}]*\}/g))
        for (const a of known)
          if (new RegExp(`(?<![\\w.-])${escapeRe(a)}(?![\\w-])`).test(m[0]))
            throw new Error(`cannot translate the expression ${m[0]} (it names ${a})`);
  return pieces;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ------------------------------------------------------------------- the program

const IDENT = /^[A-Za-z_$][\w$]*$/;
const key = (k: string): string => (IDENT.test(k) ? k : JSON.stringify(k));
const camel = (s: string): string => s.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string): string => camel(s).replace(/^./, (c) => c.toUpperCase());
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof var void while with yield'.split(
    ' ',
  ),
);

/** `A2A_Automation_RuntimeEnvironment_250915DF` -> `a2aAutomationRuntimeEnvironment`, unique among `taken`. */
function variableName(logicalId: string, taken: Set<string>): string {
  const parts = logicalId
    .replace(/_[0-9A-F]{8}$/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  let name = parts.map((p, i) => (i === 0 ? p.toLowerCase() : p[0]!.toUpperCase() + p.slice(1))).join('');
  if (!/^[a-z]/.test(name) || RESERVED.has(name)) name = `r${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name}${n}`;
  taken.add(unique);
  return unique;
}

interface Node {
  readonly address: string;
  readonly type: string;
  readonly logicalId: string;
  readonly body: JsonObject;
  readonly binding?: BindingModule;
  variable: string;
  used: boolean;
}

type Context = { kind: 'plain' } | { kind: 'map' } | { kind: 'block'; fn: string; mod: BindingModule };
const PLAIN: Context = { kind: 'plain' };

/** Terraform meta-arguments of a resource, handled as cdktf config rather than as binding props. */
const META = new Set(['//', 'lifecycle', 'depends_on', 'count', 'provider']);

/** What the generator learned while writing a program. */
export interface RawProgram {
  readonly source: string;
  readonly stacks: readonly string[];
  readonly resources: number;
  /** Resource types the flavour's bindings have no class for, declared as `TerraformResource`. */
  readonly escapeHatches: readonly string[];
  /** `type.argument` declared through `addOverride` because the binding's class lacks it. */
  readonly overriddenArguments: readonly string[];
}

/**
 * Writes the raw program for the stacks of a synthesized cdktf outdir. `cwd` is where the program
 * will run: a local backend at cdktf's default path for it is left to cdktf, as a person would.
 */
export function generateRawProgram(
  outdir: string,
  opts: { root: string; flavour: Flavour; cwd?: string },
): RawProgram {
  const { root, flavour } = opts;
  const cwd = opts.cwd ?? opts.root;
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const cdktfImports = new Set<string>(['App', 'TerraformStack']);
  const bindingImports = new Map<string, Set<string>>();
  const use = (mod: BindingModule): string => {
    const names = bindingImports.get(mod.specifier) ?? new Set<string>();
    names.add(mod.className);
    bindingImports.set(mod.specifier, names);
    return mod.className;
  };
  const bindings = new Map<string, BindingModule | undefined>();
  const binding = (type: string, what: 'resource' | 'data' | 'provider') => {
    const k = `${what}:${type}`;
    if (!bindings.has(k)) bindings.set(k, loadBinding(root, flavour, type, what));
    return bindings.get(k);
  };
  let fns: Set<string> | undefined;
  const escapeHatches = new Set<string>();
  const overridden = new Set<string>();
  const functions: string[] = [];
  const calls: string[] = [];
  let resources = 0;

  for (const [stackName, entry] of Object.entries(manifest.stacks)) {
    const doc = JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')) as JsonObject;
    const lines: string[] = [];
    const out = (l: string) => lines.push(`  ${l}`);
    out(`const stack = new TerraformStack(app, ${JSON.stringify(stackName)});`);

    // Resources and data sources, by address.
    const nodes = new Map<string, Node>();
    const variables = new Set<string>(['stack', 'app']);
    for (const what of ['resource', 'data'] as const) {
      const block = (doc[what] ?? {}) as Record<string, Record<string, JsonObject>>;
      for (const [type, byName] of Object.entries(block))
        for (const [logicalId, body] of Object.entries(byName)) {
          const address = `${what === 'data' ? 'data.' : ''}${type}.${logicalId}`;
          const variable = variableName(logicalId, variables);
          nodes.set(address, {
            address,
            type,
            logicalId,
            body,
            binding: binding(type, what),
            variable,
            used: false,
          });
        }
    }
    const known = new Set(nodes.keys());

    // Providers, by alias (or name).
    const providers = new Map<string, string>();
    const usedProviders = new Set<string>();
    const providerLines: [variable: string, text: string][] = [];
    for (const [name, configs] of Object.entries((doc.provider ?? {}) as Record<string, JsonObject[]>)) {
      const mod = binding(name, 'provider');
      if (!mod) throw new Error(`${stackName}: no binding for provider ${name}`);
      configs.forEach((config, n) => {
        const alias = typeof config.alias === 'string' ? config.alias : undefined;
        const variable = variableName(configs.length > 1 ? `${name}_${alias ?? n}` : name, variables);
        providers.set(alias ? `${name}.${alias}` : name, variable);
        providerLines.push([
          variable,
          `new ${use(mod)}(stack, ${JSON.stringify(alias ?? name)}, ${value(config, { kind: 'block', fn: '', mod }, `provider.${name}`, mod.attrs)});`,
        ]);
      });
    }

    /** A TypeScript expression for a Terraform reference: the binding's getters when they reach it, else getStringAttribute. */
    function reference(address: string, path: string): string {
      const node = nodes.get(address)!;
      node.used = true;
      const v = node.variable;
      const fallback = `${v}.getStringAttribute(${JSON.stringify(path)})`;
      const mod = node.binding;
      if (!mod) return fallback;
      let cls: string | undefined = mod.className;
      let code = v;
      for (const seg of path.match(/[a-z0-9_]+|\[\d+\]/g) ?? []) {
        const getters: ReadonlyMap<string, string> | undefined = cls ? mod.getters.get(cls) : undefined;
        if (!getters) return fallback;
        const index = /^\[(\d+)\]$/.exec(seg);
        if (index) {
          if (cls?.endsWith('List')) {
            code += `.get(${index[1]})`;
            cls = cls.replace(/List$/, 'OutputReference');
          } else if (!(cls?.endsWith('OutputReference') && index[1] === '0')) return fallback;
          continue;
        }
        const type = getters.get(camel(seg));
        if (!type) return fallback;
        code += `.${camel(seg)}`;
        cls = /^\w+$/.test(type) && mod.getters.has(type) ? type : undefined;
      }
      return cls === undefined || !mod.getters.has(cls) ? code : fallback;
    }

    function expression(e: Expr): string {
      switch (e.kind) {
        case 'ref':
          return reference(e.address, e.path);
        case 'string':
          return JSON.stringify(e.value);
        case 'number':
          return String(e.value);
        case 'call': {
          fns ??= fnMethods(root, flavour);
          const method = camel(e.fn);
          if (!fns.has(method)) throw new Error(`${stackName}: cdktf's Fn has no ${method} for ${e.fn}()`);
          cdktfImports.add('Fn');
          return `Fn.${method}(${e.args.map(expression).join(', ')})`;
        }
      }
    }

    function str(s: string): string {
      const pieces = parseTemplate(s, known);
      if (pieces.length === 0) return "''";
      if (pieces.length === 1 && typeof pieces[0] === 'string') return JSON.stringify(pieces[0]);
      if (pieces.length === 1) return expression(pieces[0] as Expr);
      const tpl = pieces
        .map((p) =>
          typeof p === 'string'
            ? p.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')
            : `\${${expression(p)}}`,
        )
        .join('');
      return `\`${tpl}\``;
    }

    /** A TypeScript expression for a JSON value; `attrs` are the known arguments when ctx is a block. */
    function value(v: Json, ctx: Context, where: string, attrs?: Attrs): string {
      if (typeof v === 'string') return str(v);
      if (v === null || typeof v !== 'object') return JSON.stringify(v);
      if (Array.isArray(v)) return `[${v.map((x, n) => value(x, ctx, `${where}[${n}]`)).join(', ')}]`;
      const entries = Object.entries(v);
      if (ctx.kind !== 'block') {
        const inner: Context = PLAIN;
        return `{ ${entries.map(([k, x]) => `${key(k)}: ${value(x, inner, `${where}.${k}`)}`).join(', ')} }`;
      }
      const args = attrs ?? ctx.mod.blocks.get(ctx.fn);
      if (!args) throw new Error(`${where}: no ${ctx.fn} in ${ctx.mod.specifier}`);
      const props = entries.map(([k, x]) => {
        const a = args.get(k);
        if (!a) throw new Error(`${where}.${k}: not an argument of ${ctx.mod.specifier}`);
        const inner: Context =
          a.kind === 'block' ? { kind: 'block', fn: a.block!, mod: ctx.mod } : { kind: a.kind };
        return `${key(a.prop)}: ${value(x, inner, `${where}.${k}`)}`;
      });
      return `{ ${props.join(', ')} }`;
    }

    /** `type.name[.attr]` of lifecycle.replace_triggered_by and depends_on, as a hand-written program says it. */
    function dependable(s: string, where: string): string {
      const address = [...known]
        .filter((a) => s === a || s.startsWith(`${a}.`))
        .sort((a, b) => b.length - a.length)[0];
      if (!address) throw new Error(`${where}: ${s} is not a declared resource`);
      const node = nodes.get(address)!;
      node.used = true;
      const rest = s.slice(address.length + 1);
      return rest
        ? `\`\${${node.variable}.terraformResourceType}.\${${node.variable}.friendlyUniqueId}.${rest}\``
        : node.variable;
    }

    function meta(node: Node): string[] {
      const where = node.address;
      const props: string[] = [];
      const b = node.body;
      if (b.lifecycle !== undefined) {
        const l = b.lifecycle as JsonObject;
        const parts = Object.entries(l).map(([k, x]) => {
          switch (k) {
            case 'replace_triggered_by':
              return `replaceTriggeredBy: [${(x as string[]).map((s) => dependable(s, where)).join(', ')}]`;
            case 'ignore_changes':
            case 'create_before_destroy':
            case 'prevent_destroy':
              return `${camel(k)}: ${JSON.stringify(x)}`;
            default:
              throw new Error(`${where}: lifecycle.${k} is not supported`);
          }
        });
        props.push(`lifecycle: { ${parts.join(', ')} }`);
      }
      if (b.depends_on !== undefined)
        props.push(`dependsOn: [${(b.depends_on as string[]).map((s) => dependable(s, where)).join(', ')}]`);
      if (b.count !== undefined) props.push(`count: ${value(b.count, PLAIN, `${where}.count`)}`);
      if (b.provider !== undefined) {
        const p = providers.get(String(b.provider));
        if (!p) throw new Error(`${where}: provider ${String(b.provider)} is not declared`);
        usedProviders.add(p);
        props.push(`provider: ${p}`);
      }
      return props;
    }

    // Declaration order: every resource after the resources it refers to (else the JSON's order).
    const order: Node[] = [];
    const done = new Set<string>();
    const visiting = new Set<string>();
    const depsOf = (n: Node): string[] => {
      const text = JSON.stringify(n.body);
      return [...known].filter(
        (a) => a !== n.address && new RegExp(`(?<![\\w.-])${escapeRe(a)}(?![\\w-])`).test(text),
      );
    };
    const visit = (n: Node) => {
      if (done.has(n.address)) return;
      if (visiting.has(n.address)) throw new Error(`${stackName}: reference cycle through ${n.address}`);
      visiting.add(n.address);
      for (const d of depsOf(n)) visit(nodes.get(d)!);
      visiting.delete(n.address);
      done.add(n.address);
      order.push(n);
    };
    for (const n of nodes.values()) visit(n);

    const declared: { node: Node; text: string[] }[] = [];
    for (const node of order) {
      resources++;
      const id = JSON.stringify(node.logicalId);
      const where = node.address;
      const text: string[] = [];
      const overrides: string[] = [];
      if (node.binding) {
        const mod = node.binding;
        const props: string[] = [];
        for (const [k, x] of Object.entries(node.body)) {
          if (META.has(k)) continue;
          const a = mod.attrs.get(k);
          if (!a) {
            overridden.add(`${node.type}.${k}`);
            overrides.push(`.addOverride(${JSON.stringify(k)}, ${value(x, PLAIN, `${where}.${k}`)});`);
            continue;
          }
          const ctx: Context = a.kind === 'block' ? { kind: 'block', fn: a.block!, mod } : { kind: a.kind };
          props.push(`${key(a.prop)}: ${value(x, ctx, `${where}.${k}`)}`);
        }
        props.push(...meta(node));
        text.push(`new ${use(mod)}(stack, ${id}, {\n    ${props.join(',\n    ')},\n  });`);
      } else {
        escapeHatches.add(node.type);
        cdktfImports.add(node.address.startsWith('data.') ? 'TerraformDataSource' : 'TerraformResource');
        const provider = node.type.slice(0, node.type.indexOf('_'));
        const props = [
          `terraformResourceType: ${JSON.stringify(node.type)}`,
          `terraformGeneratorMetadata: { providerName: ${JSON.stringify(provider)} }`,
          ...meta(node),
        ];
        const cls = node.address.startsWith('data.') ? 'TerraformDataSource' : 'TerraformResource';
        text.push(`new ${cls}(stack, ${id}, {\n    ${props.join(',\n    ')},\n  });`);
        for (const [k, x] of Object.entries(node.body))
          if (!META.has(k))
            overrides.push(`.addOverride(${JSON.stringify(k)}, ${value(x, PLAIN, `${where}.${k}`)});`);
      }
      if (overrides.length) node.used = true;
      text.push(...overrides.map((o) => `${node.variable}${o}`));
      declared.push({ node, text });
    }

    for (const [variable, text] of providerLines)
      out(usedProviders.has(variable) ? `const ${variable} = ${text}` : text);

    // The terraform block: backend, and what the stack raises over the bindings' required_providers.
    const terraform = (doc.terraform ?? {}) as JsonObject;
    for (const [k, x] of Object.entries(terraform)) {
      if (k === 'backend') {
        const [[type, config] = []] = Object.entries(x as Record<string, JsonObject>);
        if (!type || !config) throw new Error(`${stackName}: empty backend`);
        const defaultPath = resolve(cwd, `terraform.${stackName}.tfstate`);
        if (type === 'local' && Object.keys(config).length === 1 && config.path === defaultPath) continue;
        const cls = `${pascal(type)}Backend`;
        cdktfImports.add(cls);
        const props = Object.entries(config).map(
          ([c, y]) => `${key(camel(c))}: ${value(y, PLAIN, `backend.${c}`)}`,
        );
        out(`new ${cls}(stack, { ${props.join(', ')} });`);
      } else if (k === 'required_providers') {
        for (const [p, req] of Object.entries(x as Record<string, JsonObject>)) {
          const defaults = binding(p, 'provider')?.required ?? {};
          for (const [f, y] of Object.entries(req))
            if (y !== (defaults as Record<string, unknown>)[f])
              out(
                `stack.addOverride(${JSON.stringify(`terraform.required_providers.${p}.${f}`)}, ${JSON.stringify(y)});`,
              );
        }
      } else
        out(`stack.addOverride(${JSON.stringify(`terraform.${k}`)}, ${value(x, PLAIN, `terraform.${k}`)});`);
    }

    for (const { node, text } of declared) {
      const [first, ...rest] = text;
      out(node.used ? `const ${node.variable} = ${first!}` : first!);
      for (const r of rest) out(r);
    }

    for (const [name, o] of Object.entries((doc.output ?? {}) as Record<string, JsonObject>)) {
      cdktfImports.add('TerraformOutput');
      const props = Object.entries(o).map(([k, x]) => {
        if (k === 'value') return `value: ${value(x, PLAIN, `output.${name}.value`)}`;
        if (k === 'description' || k === 'sensitive') return `${k}: ${JSON.stringify(x)}`;
        if (k === 'depends_on')
          return `dependsOn: [${(x as string[]).map((s) => dependable(s, `output.${name}`)).join(', ')}]`;
        throw new Error(`output.${name}.${k} is not supported`);
      });
      out(`new TerraformOutput(stack, ${JSON.stringify(name)}, { ${props.join(', ')} });`);
    }
    for (const k of Object.keys(doc))
      if (!['//', 'resource', 'data', 'provider', 'terraform', 'output'].includes(k))
        throw new Error(`${stackName}: top-level ${k} is not supported`);

    const fn = `${camel(stackName.replace(/[^A-Za-z0-9]+/g, '_'))}Stack`.replace(/^(\d)/, 's$1');
    functions.push(`function ${fn}(app: App): void {\n${lines.join('\n')}\n}\n`);
    calls.push(`${fn}(app);`);
  }

  const source = [
    `// The raw cdktf baseline (generated by bench/cdktf-raw.ts from ${outdir}): the same resources as`,
    '// our app, declared by hand with the provider classes, no constructs of ours.',
    `import { ${[...cdktfImports].sort().join(', ')} } from 'cdktf';`,
    ...[...bindingImports]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([spec, names]) => `import { ${[...names].sort().join(', ')} } from '${spec}';`),
    '',
    ...functions,
    'const app = new App();',
    ...calls,
    'app.synth();',
    '',
  ].join('\n');
  return {
    source,
    stacks: Object.keys(manifest.stacks),
    resources,
    escapeHatches: [...escapeHatches].sort(),
    overriddenArguments: [...overridden].sort(),
  };
}

// ------------------------------------------------------------------- synthesis and the check

/** Removes cdktf's `//` metadata keys (construct paths, stack metadata) at every depth. */
export function withoutMetadata(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutMetadata);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== '//')
      .map(([k, x]) => [k, withoutMetadata(x)]),
  );
}

/** Every difference between two JSON values, one line each, with its path. */
export function jsonDifferences(ours: Json, raw: Json, path = ''): string[] {
  const show = (v: Json) => {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}... (${s.length} chars)` : s;
  };
  if (ours !== null && raw !== null && typeof ours === 'object' && typeof raw === 'object') {
    if (Array.isArray(ours) !== Array.isArray(raw)) return [`${path}: ours ${show(ours)}, raw ${show(raw)}`];
    if (Array.isArray(ours)) {
      const r = raw as Json[];
      const diffs = ours.flatMap((x, i) => (i < r.length ? jsonDifferences(x, r[i]!, `${path}[${i}]`) : []));
      if (ours.length !== r.length) diffs.push(`${path}: ours has ${ours.length} items, raw ${r.length}`);
      return diffs;
    }
    const o = ours as JsonObject;
    const r = raw as JsonObject;
    return [...new Set([...Object.keys(o), ...Object.keys(r)])].sort().flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in r)) return [`${p}: only in ours: ${show(o[k]!)}`];
      if (!(k in o)) return [`${p}: only in raw: ${show(r[k]!)}`];
      return jsonDifferences(o[k]!, r[k]!, p);
    });
  }
  return ours === raw ? [] : [`${path}: ours ${show(ours)}, raw ${show(raw)}`];
}

/** Compares two synthesized outdirs stack by stack, without cdktf's `//` metadata. Empty when equal. */
export function compareOutdirs(oursDir: string, rawDir: string): string[] {
  const stacks = (dir: string) =>
    (
      JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        stacks: Record<string, { synthesizedStackPath: string }>;
      }
    ).stacks;
  const ours = stacks(oursDir);
  const raw = stacks(rawDir);
  const diffs: string[] = [];
  for (const name of new Set([...Object.keys(ours), ...Object.keys(raw)])) {
    if (!ours[name] || !raw[name]) {
      diffs.push(`stack ${name}: only in ${ours[name] ? 'ours' : 'raw'}`);
      continue;
    }
    const read = (dir: string, p: string) =>
      withoutMetadata(JSON.parse(readFileSync(join(dir, p), 'utf8')) as Json);
    diffs.push(
      ...jsonDifferences(
        read(oursDir, ours[name].synthesizedStackPath),
        read(rawDir, raw[name].synthesizedStackPath),
      ).map((d) => `stack ${name}: ${d}`),
    );
  }
  return diffs;
}

export interface SynthPaths {
  readonly root: string;
  readonly tsRun: string;
}

/** The environment both programs synthesize under (ours reads the `asr` context; the raw program ignores it). */
export function synthEnv(
  root: string,
  outdir: string,
  flavour: Flavour,
  context?: unknown,
): Record<string, string> {
  const ctx =
    context ?? (JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { context: unknown }).context;
  return {
    CHECKPOINT_DISABLE: '1',
    ASR_NOW: '2026-11-22T10:00:00Z',
    CDKTF_CONTEXT_JSON: JSON.stringify(ctx),
    CDKTF_OUTDIR: outdir,
    ASR_TERRAFORM_FLAVOUR: flavour,
    // The raw program may live outside the repo (a test's temp dir): it still resolves cdktf from here.
    NODE_PATH: join(root, 'node_modules'),
  };
}

/** Runs `node <tsRun> <entry>` under `env` (cwd: root); throws with stderr on failure. */
export function synth(paths: SynthPaths, entry: string, env: Record<string, string>): void {
  rmSync(env.CDKTF_OUTDIR!, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [paths.tsRun, entry], {
    cwd: paths.root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`synth ${entry}: exit ${r.status}\n${r.stderr?.slice(-3000)}`);
}

export interface CheckedRawProgram extends RawProgram {
  readonly program: string;
  readonly oursOutdir: string;
  readonly rawOutdir: string;
}

/**
 * Synthesizes our app once (untimed), writes the raw program into `work`, synthesizes it and checks
 * that every stack equals ours. Throws, listing every difference, when they differ.
 */
export function buildCheckedRawProgram(
  paths: SynthPaths & { readonly work: string },
  flavour: Flavour,
  opts: { context?: unknown; name?: string } = {},
): CheckedRawProgram {
  const name = opts.name ?? `cdktf-raw-${flavour}`;
  mkdirSync(paths.work, { recursive: true });
  const oursOutdir = join(paths.work, `${name}-ours.out`);
  const rawOutdir = join(paths.work, `${name}.out`);
  const program = join(paths.work, `${name}.ts`);
  synth(
    paths,
    join(paths.root, 'stacks', 'cdktf', 'main.ts'),
    synthEnv(paths.root, oursOutdir, flavour, opts.context),
  );
  const generated = generateRawProgram(oursOutdir, { root: paths.root, flavour, cwd: paths.root });
  writeFileSync(program, generated.source);
  synth(paths, program, synthEnv(paths.root, rawOutdir, flavour, opts.context));
  const diffs = compareOutdirs(oursOutdir, rawOutdir);
  if (diffs.length)
    throw new Error(`the raw cdktf program (${program}) differs from ours:\n  ${diffs.join('\n  ')}`);
  return { ...generated, program, oursOutdir, rawOutdir };
}

/**
 * For bench/run.ts: prepares the raw cdktf baseline of one flavour (ours synthesized once untimed,
 * the program generated and checked) and returns what to measure: `node <args>` with `env`, cwd root.
 */
export function prepareCdktfRaw(
  paths: SynthPaths & { readonly work: string },
  flavour: Flavour,
  opts: { context?: unknown } = {},
): { label: string; args: string[]; env: Record<string, string>; program: CheckedRawProgram } {
  const program = buildCheckedRawProgram(paths, flavour, opts);
  return {
    label: `raw: same resources, provider classes (${flavour})`,
    args: [paths.tsRun, program.program],
    env: synthEnv(paths.root, join(paths.work, `out-cdktf-raw-${flavour}`), flavour, opts.context),
    program,
  };
}

export function main(argv: string[]): void {
  const [oursOutdir, programFile] = argv;
  if (!oursOutdir || !programFile || !existsSync(join(oursOutdir, 'manifest.json'))) {
    console.error(
      'usage: node scripts/ts-run.js bench/cdktf-raw.ts <ours-outdir> <program.ts> [--check <raw-outdir>]',
    );
    process.exit(2);
  }
  const root = join(__dirname, '..');
  const flavour = (process.env.ASR_TERRAFORM_FLAVOUR ?? 'cdktf') as Flavour;
  const generated = generateRawProgram(resolve(oursOutdir), { root, flavour, cwd: process.cwd() });
  writeFileSync(programFile, generated.source);
  console.log(
    `wrote ${programFile}: ${generated.stacks.length} stacks, ${generated.resources} resources` +
      (generated.escapeHatches.length
        ? `; TerraformResource for ${generated.escapeHatches.join(', ')}`
        : '') +
      (generated.overriddenArguments.length
        ? `; addOverride for ${generated.overriddenArguments.join(', ')}`
        : ''),
  );
  const check = argv.indexOf('--check');
  if (check >= 0) {
    const rawOutdir = resolve(argv[check + 1] ?? `${programFile}.out`);
    synth(
      { root, tsRun: join(root, 'scripts', 'ts-run.js') },
      resolve(programFile),
      synthEnv(root, rawOutdir, flavour),
    );
    const diffs = compareOutdirs(resolve(oursOutdir), rawOutdir);
    if (diffs.length) throw new Error(`the raw cdktf program differs from ours:\n  ${diffs.join('\n  ')}`);
    console.log(`raw cdktf program matches ours: ${generated.stacks.join(', ')}`);
  }
}

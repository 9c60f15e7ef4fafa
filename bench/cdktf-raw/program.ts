import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Flavour, Json, JsonObject } from './types';
import { fnMethods, loadBinding, type Attrs, type BindingModule } from './bindings';
import { escapeRe, parseTemplate, type Expr } from './expressions';

/** Stage 3: the program, generated from our synthesized output with the bindings' classes. */

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

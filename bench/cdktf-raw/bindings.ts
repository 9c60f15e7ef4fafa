import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Flavour } from './types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mapSpecifier } = require('../../scripts/flavours.cjs') as {
  mapSpecifier: (specifier: string, flavour: Flavour) => string | undefined;
};

/** Stage 1 of the raw cdktf baseline: the provider bindings, read statically from their compiled code. */

/** How a binding passes one Terraform argument: as is, as a map (keys kept), or as a nested block. */
interface Attr {
  readonly prop: string;
  readonly kind: 'plain' | 'map' | 'block';
  /** The block's `...ToTerraform` function, when kind is block. */
  readonly block?: string;
}
export type Attrs = ReadonlyMap<string, Attr>;

export interface BindingModule {
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
export function loadBinding(
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
export function fnMethods(root: string, flavour: Flavour): Set<string> {
  const pkg = mapSpecifier('cdktf', flavour) ?? 'cdktf';
  const dir = dirname(require.resolve(`${pkg}/package.json`, { paths: [root] }));
  const dts = readFileSync(join(dir, 'lib', 'functions', 'terraform-functions.generated.d.ts'), 'utf8');
  return new Set([...dts.matchAll(/^\s+static (\w+)\(/gm)].map((m) => m[1]!));
}

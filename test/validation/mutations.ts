import fc from 'fast-check';

/**
 * JSON-representable mutations of a valid configuration, for property tests: a few edits at random
 * places of the tree, each replacing, deleting, wrapping or adding a value the way a user's
 * hand-written JSON (or a TypeScript caller with `as any`) can get it wrong.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys that name members of Object.prototype: a lookup in a plain object finds them without an own property. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'prototype',
] as const;

/** Strings a setting can plausibly receive by mistake. */
const plausibleStrings = fc.constantFrom(
  '',
  ' ',
  'westeurope',
  'West Europe',
  'Europe/Amsterdam',
  'W. Europe Standard Time',
  'Contributor',
  'RunAsAccount',
  'SystemAssignedIdentity',
  'CanNotDelete',
  'None',
  '00:00',
  '25:61',
  'A2A',
  'InMageRcm',
  'true',
  '2026-01-01T00:00:00Z',
  'https://example.org/r.ps1',
  '/subscriptions/00000000-0000-0000-0000-000000000001',
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg',
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet',
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law',
  'ab'.repeat(32),
  '7.2',
  '7.4',
  'PowerShell-7.2',
  'PT5M',
  'P1D',
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag',
  ...PROTOTYPE_NAMES,
);

/** Any value JSON can carry, weighted towards the troublesome ones. */
export const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 4 },
  { arbitrary: plausibleStrings, weight: 6 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom('x'.repeat(5000), 'é'.repeat(300), 'a\u0000b', '\n'), weight: 1 },
  { arbitrary: fc.boolean(), weight: 2 },
  {
    arbitrary: fc.oneof(
      fc.integer(),
      fc.constantFrom(0, -1, 1, 0.5, 4, 1e21, -0, Number.MAX_SAFE_INTEGER + 2, 1e308),
    ),
    weight: 3,
  },
  { arbitrary: fc.constantFrom<Json>([], {}, [null], [''], [{}], { kind: null }), weight: 3 },
  {
    arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 8 }), plausibleStrings), { maxLength: 3 }),
    weight: 1,
  },
  {
    arbitrary: fc.dictionary(
      fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 6 })),
      fc.string(),
      {
        maxKeys: 2,
      },
    ),
    weight: 1,
  },
);

/** One edit: where (an index into the tree's paths) and what. */
export type Edit =
  | { readonly at: number; readonly op: 'replace'; readonly value: Json }
  | { readonly at: number; readonly op: 'delete' }
  | { readonly at: number; readonly op: 'addKey'; readonly key: string; readonly value: Json }
  | { readonly at: number; readonly op: 'wrapInArray' }
  | { readonly at: number; readonly op: 'objectToArray' }
  | { readonly at: number; readonly op: 'copyFrom'; readonly from: number };

/** Keys a user might add: unknown, misspelt, prototype-named, or known elsewhere in the config. */
const keyArb = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom('nmae', 'clock', 'kind', 'spec', 'vault', 'name', 'lock', 'uri', '$comment'),
  fc.constantFrom('runtime', 'alerts', 'version', 'actionGroupIds', 'severity', 'windowSize'),
  fc.string({ maxLength: 8 }),
);

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  {
    arbitrary: fc.record({ at: fc.nat(), op: fc.constant('replace' as const), value: nastyValue }),
    weight: 6,
  },
  { arbitrary: fc.record({ at: fc.nat(), op: fc.constant('delete' as const) }), weight: 3 },
  {
    arbitrary: fc.record({
      at: fc.nat(),
      op: fc.constant('addKey' as const),
      key: keyArb,
      value: nastyValue,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ at: fc.nat(), op: fc.constant('wrapInArray' as const) }), weight: 1 },
  { arbitrary: fc.record({ at: fc.nat(), op: fc.constant('objectToArray' as const) }), weight: 1 },
  { arbitrary: fc.record({ at: fc.nat(), op: fc.constant('copyFrom' as const), from: fc.nat() }), weight: 2 },
);

export const editsArb = fc.array(editArb, { minLength: 1, maxLength: 3 });

type Path = readonly (string | number)[];

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const k of Object.keys(value)) out.push(...paths(value[k]!, [...prefix, k]));
  return out;
}

function get(value: Json, path: Path): Json {
  let v: Json = value;
  for (const p of path) v = (v as Record<string | number, Json>)[p]!;
  return v;
}

/** Sets an own property, even one named `__proto__`, as JSON.parse would. */
function setOwn(target: Record<string, Json> | Json[], key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy that keeps `__proto__` keys as own properties (a JSON round trip would too). */
export function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const k of Object.keys(value)) setOwn(out, k, clone(value[k]!));
  return out;
}

/** Applies the edits to a copy of `base`; the root is never deleted. */
export function mutate(base: Json, edits: readonly Edit[]): Json {
  let root = clone(base);
  for (const e of edits) {
    const all = paths(root);
    const path = all[e.at % all.length]!;
    const current = get(root, path);
    let next: Json | undefined;
    switch (e.op) {
      case 'replace':
        next = clone(e.value);
        break;
      case 'delete':
        next = undefined;
        break;
      case 'addKey':
        if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
          setOwn(current, e.key, clone(e.value));
        }
        continue;
      case 'wrapInArray':
        next = [current];
        break;
      case 'objectToArray':
        next =
          current !== null && typeof current === 'object' && !Array.isArray(current)
            ? Object.values(current)
            : current;
        break;
      case 'copyFrom':
        next = clone(get(root, all[e.from % all.length]!));
        break;
    }
    if (path.length === 0) {
      root = next === undefined ? {} : next;
      continue;
    }
    const parent = get(root, path.slice(0, -1)) as Record<string, Json> | Json[];
    const key = path[path.length - 1]!;
    if (next !== undefined) setOwn(parent, key, next);
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  }
  return root;
}

/** A short, reproducible description of a mutated input, for failure messages. */
export function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'string' && v.length > 60 ? `${v.slice(0, 20)}…(${v.length} chars)` : v,
  );
  return text ?? String(value);
}

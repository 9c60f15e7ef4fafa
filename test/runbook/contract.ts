import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEstateTables } from './estate-schema';
import type { Json, JsonObject, Recorded, Reply } from './fake-arm';

/**
 * Microsoft's published contract for every request the runbook sends, as data
 * (test/fixtures/contracts/*.json, read from the public specifications; each file names its source and
 * commit), and the checks the fake ARM runs with it: a request that the contract does not describe is
 * refused with 400 in ARM's error shape and named as a violation; a response the fake serves that the
 * contract does not describe is named as a violation too (the fake cannot drift from the service).
 *
 * What is enforced, for requests: the route (method and path template), the api-version (the one the
 * contract was read at), required and unknown query parameters (URLs the server itself issued, such as a
 * nextLink, are exempt from the parameter check: their query is the server's), the content type, the body
 * (required properties, types, enums, minimum/maximum, the `x-ms-discriminator-value` of polymorphic inputs,
 * and no property the schema does not have; names and enum values compare case-sensitively, as the
 * schema spells them). For responses: the status is one the operation declares, success bodies match the
 * response schema (null is accepted for any property that is not required, as services serialize it;
 * a provider subtype the contract does not record is checked against its base only), error bodies match
 * ARM's error shape. Formats (date-time, int64) are recorded, not enforced.
 *
 * Each contract names the host that serves it (`host`: Resource Manager by default, `ingestion` for the
 * data collection endpoint of the Logs Ingestion API): a request is matched only against the operations of
 * the host it reached, so an upload sent to ARM, or an ARM call sent to the ingestion endpoint, has no
 * contract. Headers an operation requires (the ingestion upload's bearer token) or forbids are checked too.
 */

export type SchemaLike = string | Schema;
export interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  readonly properties?: Readonly<Record<string, SchemaLike>>;
  readonly required?: readonly string[];
  readonly enum?: readonly string[];
  readonly items?: SchemaLike;
  readonly $ref?: string;
  readonly allOf?: readonly string[];
  readonly discriminator?: string;
  readonly 'x-ms-discriminator-value'?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly 'x-any'?: boolean;
  readonly 'x-recorded'?: boolean;
}

export interface OperationContract {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly query: {
    readonly required: readonly string[];
    readonly optional: readonly string[];
    readonly values?: Readonly<Record<string, string>>;
  };
  readonly contentType?: string;
  readonly headers?: {
    readonly required?: Readonly<Record<string, string>>;
    readonly optional?: readonly string[];
    readonly forbidden?: readonly string[];
  };
  readonly body: { readonly name: string; readonly required: boolean; readonly schema: SchemaLike } | null;
  readonly responses: Readonly<Record<string, SchemaLike | null>>;
  readonly streamColumns?: string;
  readonly example?: string | null;
}

export interface ContractFile {
  readonly contract: string;
  readonly apiVersion: string;
  readonly source: Readonly<Record<string, unknown>>;
  /** Which fake serves the contract's operations; default `arm`. */
  readonly host?: 'arm' | 'identity' | 'ingestion';
  readonly operations: readonly OperationContract[];
  readonly definitions: Readonly<Record<string, Schema>>;
  /** The columns of each stream, by stream (filled from the file an operation's `streamColumns` names). */
  readonly streams?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** One operation of one contract file, ready to match. */
export interface Operation {
  readonly file: string;
  readonly contract: ContractFile;
  readonly op: OperationContract;
  /** `operationId@api-version`, the key of the report. */
  readonly key: string;
  readonly pattern: RegExp | null;
  readonly params: readonly string[];
  /** The specification's own example (parameters and responses), when it names one. */
  readonly example: JsonObject | null;
}

export const CONTRACTS_DIR = join(__dirname, '..', 'fixtures', 'contracts');

function templateRegex(path: string): { pattern: RegExp | null; params: string[] } {
  if (path.startsWith('{')) return { pattern: null, params: [] }; // an endpoint given by the environment
  const params: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        params.push(param[1]!);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // ARM compares paths case-insensitively; one trailing slash is tolerated.
  return { pattern: new RegExp(`^${source}/?$`, 'i'), params };
}

let loaded: Operation[] | undefined;

/** Every contract in test/fixtures/contracts, each operation compiled once. */
export function operations(dir = CONTRACTS_DIR): Operation[] {
  if (loaded && dir === CONTRACTS_DIR) return loaded;
  const out: Operation[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    let contract = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ContractFile;
    // Stream columns kept in another file (the constructs' tables as data) are read from it, not copied.
    const columnsFile = contract.operations.find((op) => op.streamColumns?.endsWith('.json'))?.streamColumns;
    if (columnsFile) {
      const streams = Object.fromEntries(
        readEstateTables(join(dir, columnsFile)).map((t) => [
          t.stream,
          Object.fromEntries(t.columns.map((c) => [c.name, c.type])),
        ]),
      );
      contract = { ...contract, streams };
    }
    for (const op of contract.operations) {
      const { pattern, params } = templateRegex(op.path);
      const example = op.example
        ? (JSON.parse(readFileSync(join(dir, op.example), 'utf8')) as JsonObject)
        : null;
      out.push({
        file,
        contract,
        op,
        key: `${op.operationId}@${contract.apiVersion}`,
        pattern,
        params,
        example,
      });
    }
  }
  if (dir === CONTRACTS_DIR) loaded = out;
  return out;
}

// ------------------------------------------------------------------------------------- schemas

type Mode = 'request' | 'response';

const norm = (s: SchemaLike): Schema =>
  typeof s === 'string' ? (s.startsWith('#') ? { $ref: s.slice(1) } : { type: s as Schema['type'] }) : s;

function deref(contract: ContractFile, s: SchemaLike): Schema {
  let schema = norm(s);
  for (let hops = 0; schema.$ref !== undefined; hops++) {
    const target = contract.definitions[schema.$ref];
    if (!target || hops > 20)
      throw new Error(`contract ${contract.contract}: no definition '${schema.$ref}'`);
    schema = target;
  }
  return schema;
}

/** The name of a definition, for messages. */
function nameOf(contract: ContractFile, schema: Schema): string {
  for (const [name, def] of Object.entries(contract.definitions)) if (def === schema) return name;
  return 'schema';
}

/** Properties and required names of a schema, its allOf bases included. */
function flatten(
  contract: ContractFile,
  schema: Schema,
): { properties: Record<string, SchemaLike> | undefined; required: string[] } {
  let properties: Record<string, SchemaLike> | undefined = schema.properties
    ? { ...schema.properties }
    : undefined;
  const required = [...(schema.required ?? [])];
  for (const base of schema.allOf ?? []) {
    const b = flatten(contract, deref(contract, base));
    if (b.properties) properties = { ...b.properties, ...(properties ?? {}) };
    required.push(...b.required);
  }
  return { properties, required };
}

/** The subtypes of a discriminated base, by discriminator value. */
function subtypes(contract: ContractFile, baseName: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const def of Object.values(contract.definitions)) {
    const value = def['x-ms-discriminator-value'];
    if (value !== undefined && (def.allOf ?? []).includes(`#${baseName}`)) out.set(value, def);
  }
  return out;
}

const typeOf = (v: Json): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

/** Problems of `value` against `schema`, each naming where (a JSON path) and what. */
export function validate(
  contract: ContractFile,
  value: Json | undefined,
  schemaLike: SchemaLike,
  mode: Mode,
  at = '$',
): string[] {
  const schema = deref(contract, schemaLike);
  if (schema['x-any'] || value === undefined) return [];
  if (value === null) return mode === 'response' ? [] : [`${at}: null is not a value the schema allows`];
  const problems: string[] = [];
  // A discriminated base: the subtype named by the discriminator, if the contract records it.
  if (schema.discriminator && typeOf(value) === 'object') {
    const tag = (value as JsonObject)[schema.discriminator];
    const known = subtypes(contract, nameOf(contract, schema));
    if (typeof tag === 'string' && known.has(tag))
      return validate(contract, value, known.get(tag)!, mode, at);
    if (tag === undefined) return [`${at}: required property '${schema.discriminator}' is missing`];
    if (mode === 'request')
      return [
        `${at}.${schema.discriminator}: '${String(tag)}' is not one of ${[...known.keys()].join(', ')} (the ${schema.discriminator} values this contract records for ${nameOf(contract, schema)})`,
      ];
    // A response of a provider this contract does not record: its base only, other members open.
    return typeof tag === 'string'
      ? []
      : [`${at}.${schema.discriminator}: expected string, got ${typeOf(tag)}`];
  }
  const expected = schema.type ?? (schema.properties || schema.allOf ? 'object' : undefined);
  if (expected) {
    const actual = typeOf(value);
    const ok = expected === 'number' ? actual === 'number' || actual === 'integer' : actual === expected;
    if (!ok) return [`${at}: expected ${expected}, got ${actual} (${JSON.stringify(value).slice(0, 60)})`];
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    const near = schema.enum.find((e) => e.toLowerCase() === String(value).toLowerCase());
    problems.push(
      `${at}: '${String(value)}' is not one of ${schema.enum.join(', ')}${near ? ` (enum values are case-sensitive: '${near}')` : ''}`,
    );
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push(`${at}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => problems.push(...validate(contract, v, schema.items!, mode, `${at}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as JsonObject;
    const { properties, required } = flatten(contract, schema);
    for (const name of required) {
      if (obj[name] === undefined) problems.push(`${at}: required property '${name}' is missing`);
    }
    if (properties) {
      for (const [name, v] of Object.entries(obj)) {
        const prop = properties[name];
        if (prop === undefined) {
          const near = Object.keys(properties).find((p) => p.toLowerCase() === name.toLowerCase());
          problems.push(
            near
              ? `${at}: unknown property '${name}' (the schema spells it '${near}'; property names are case-sensitive)`
              : `${at}: unknown property '${name}' (${nameOf(contract, schema)} has ${Object.keys(properties).join(', ')})`,
          );
          continue;
        }
        problems.push(...validate(contract, v, prop, mode, `${at}.${name}`));
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------- coverage

export interface Coverage {
  readonly key: string;
  readonly file: string;
  readonly method: string;
  readonly path: string;
  readonly apiVersion: string;
  requests: number;
  readonly scenarios: Set<string>;
  /** Scenarios in which the fake answered this operation with the specification's own example. */
  readonly examples: Set<string>;
}

const coverage = new Map<string, Coverage>();
for (const o of operations()) {
  coverage.set(o.key, {
    key: o.key,
    file: o.file,
    method: o.op.method,
    path: o.op.path,
    apiVersion: o.contract.apiVersion,
    requests: 0,
    scenarios: new Set(),
    examples: new Set(),
  });
}

/** What the fake saw per contract operation, in this test process. */
export function contractCoverage(): Coverage[] {
  return [...coverage.values()];
}

/**
 * The report the runbook suite prints: operations, api-versions, scenarios that exercised each. Jest runs
 * each test file in its own module registry, so the coverage is that of the file that prints it: each
 * runbook scenario file prints its own report (`title` names the file).
 */
export function contractReport(title = 'the runbook scenarios'): string {
  const lines = [`API contracts exercised by ${title} (test/fixtures/contracts):`];
  for (const c of contractCoverage()) {
    lines.push(
      `  ${c.method.padEnd(5)} ${c.key}  [${c.file}]  ${c.requests} request(s), ${c.scenarios.size} scenario(s)` +
        (c.examples.size ? `, answered with the specification's example in ${c.examples.size}` : ''),
    );
    for (const s of [...c.scenarios].sort())
      lines.push(`        - ${s}${c.examples.has(s) ? '  (example answer)' : ''}`);
  }
  return lines.join('\n');
}

/**
 * What a scenario file is responsible for, once all its scenarios ran and passed: each operation in
 * `exercised` (operationId@api-version) was called under its contract, and each in `examples` was answered
 * at least once with the specification's own example response. Returns the problems ('' when none).
 */
export function coverageProblems(exercised: readonly string[], examples: readonly string[]): string {
  const known = new Map(contractCoverage().map((c) => [c.key, c]));
  const unknown = [...exercised, ...examples].filter((k) => !known.has(k));
  const never = exercised.filter((k) => known.get(k)?.requests === 0);
  const noExample = examples.filter((k) => known.get(k)?.examples.size === 0);
  if (!unknown.length && !never.length && !noExample.length) return '';
  return (
    `contract coverage: never exercised ${never.join(', ') || '-'}; never answered with the specification's example ${noExample.join(', ') || '-'}` +
    (unknown.length ? `; no contract for ${unknown.join(', ')}` : '')
  );
}

/** The contract operations a set of scenario files is responsible for (operationId@api-version keys). */
export interface CoverageDuty {
  /** Each called at least once under its contract. */
  readonly exercised: readonly string[];
  /** Each answered at least once with the specification's own example response. */
  readonly examples: readonly string[];
}

/**
 * What the runbook's execution scenarios must cover together: every operation of the contracts the runbook
 * calls (Site Recovery and the Automation managed identity), and, of those, each one whose contract names a
 * specification example answered with that example.
 */
export function runbookCoverageDuty(ops: readonly Operation[] = operations()): CoverageDuty {
  const runbookUses = ops.filter((o) => /^(site-recovery|managed-identity)/.test(o.file));
  return {
    exercised: runbookUses.map((o) => o.key),
    examples: runbookUses.filter((o) => o.op.example).map((o) => o.key),
  };
}

/**
 * The problems ('' when none) of splitting `required` among files: an operation no file is responsible
 * for, or a file responsible for an operation that is not in `required`. Each file checks its own duty
 * after its scenarios (coverageProblems); this proves the duties add up to the whole.
 */
export function dutyProblems(duties: Readonly<Record<string, CoverageDuty>>, required: CoverageDuty): string {
  const all = Object.values(duties);
  const exercised = new Set(all.flatMap((d) => d.exercised));
  const examples = new Set(all.flatMap((d) => d.examples));
  const problems: string[] = [];
  const never = required.exercised.filter((k) => !exercised.has(k));
  const noExample = required.examples.filter((k) => !examples.has(k));
  if (never.length) problems.push(`no scenario file is responsible for exercising ${never.join(', ')}`);
  if (noExample.length)
    problems.push(
      `no scenario file is responsible for answering with the specification's example ${noExample.join(', ')}`,
    );
  for (const [file, d] of Object.entries(duties)) {
    const foreign = [...d.exercised, ...d.examples].filter((k) => !required.exercised.includes(k));
    if (foreign.length)
      problems.push(
        `${file} is responsible for ${foreign.join(', ')}, not an operation of the runbook's contracts`,
      );
  }
  return problems.join('; ');
}

// ------------------------------------------------------------------------------------- the fake's checks

const ok2xx = (status: number) => status >= 200 && status < 300;

/**
 * Required headers (a value in braces is any value; `Bearer {token}` is the scheme and any token; other
 * values compare case-insensitively) and forbidden ones.
 */
function headerProblems(op: OperationContract, rec: Recorded): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(op.headers?.required ?? {})) {
    const got = rec.headers[name.toLowerCase()];
    const pattern = new RegExp(
      `^${value
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.+')}$`,
      'i',
    );
    if (got === undefined) problems.push(`header '${name}' is missing`);
    else if (!pattern.test(got)) problems.push(`header '${name}' must be '${value}'`);
  }
  for (const name of op.headers?.forbidden ?? [])
    if (rec.headers[name.toLowerCase()] !== undefined) problems.push(`header '${name}' must not be sent`);
  return problems;
}

function urlKey(pathname: string, search: URLSearchParams): string {
  const pairs = [...search.entries()].map(([k, v]) => `${k}=${v}`).sort();
  return `${pathname.toLowerCase()}?${pairs.join('&')}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

const armRefusal = (code: string, message: string): Reply => ({
  status: 400,
  body: { error: { code, message } },
});

/**
 * The contract checks of one fake ARM. `report` receives every violation (the fake's own list, which
 * each scenario requires to be empty); the request that violates is answered 400 in ARM's error shape,
 * its message naming the operation and the problem.
 */
export class ContractEnforcer {
  /** The scenario the fake serves, for the report. */
  scenario = 'unnamed';
  /** Every violation found, in order. */
  readonly violations: string[] = [];
  /** URLs the server itself handed out (nextLink, Azure-AsyncOperation, Location). */
  private readonly issued = new Set<string>();
  /** The operation each request matched, by sequence number. */
  private readonly matched = new Map<number, Operation>();

  constructor(private readonly report: (violation: string) => void) {}

  private violation(message: string): string {
    this.violations.push(message);
    this.report(`contract: ${message}`);
    return message;
  }

  /** A reply that refuses `rec`, or undefined when the request is what the contract describes. */
  checkRequest(server: Recorded['server'], rec: Recorded): Reply | undefined {
    if (server === 'foreign') return undefined;
    if (server === 'identity') return this.checkIdentity(rec);
    const candidates = operations().filter(
      (o) => (o.contract.host ?? 'arm') === server && o.pattern?.test(rec.path),
    );
    const what = `${rec.method} ${rec.path}`;
    if (candidates.length === 0) {
      const elsewhere = operations().find((o) => o.pattern?.test(rec.path));
      const m = this.violation(
        `${what}: no contract describes this path on the ${server} endpoint (the runbook called an operation that has none` +
          (elsewhere
            ? `; ${elsewhere.op.operationId} is served by the ${elsewhere.contract.host ?? 'arm'} endpoint)`
            : ')'),
      );
      return armRefusal('NoContractForOperation', `Contract violation: ${m}`);
    }
    const byMethod = candidates.filter((o) => o.op.method === rec.method);
    if (byMethod.length === 0) {
      const m = this.violation(
        `${what}: method ${rec.method} is not in the contract for this path (${candidates.map((o) => `${o.op.method} ${o.op.operationId}`).join(', ')})`,
      );
      return armRefusal('NoContractForOperation', `Contract violation: ${m}`);
    }
    const api = rec.query.get('api-version');
    if (!api) {
      const m = this.violation(`${what}: the api-version query parameter is missing`);
      return armRefusal('MissingApiVersionParameter', `Contract violation: ${m}`);
    }
    const op = byMethod.find((o) => o.contract.apiVersion === api);
    if (!op) {
      const m = this.violation(
        `${what}: api-version '${api}' is not in the contract for ${byMethod[0]!.op.operationId} (the contract was read at ${byMethod.map((o) => o.contract.apiVersion).join(', ')})`,
      );
      return armRefusal('NoRegisteredProviderFound', `Contract violation: ${m}`);
    }
    this.matched.set(rec.seq, op);
    const cov = coverage.get(op.key)!;
    cov.requests++;
    cov.scenarios.add(this.scenario);
    const problems = [
      ...this.queryProblems(op, rec),
      ...headerProblems(op.op, rec),
      ...this.bodyProblems(op, rec),
    ];
    if (problems.length === 0) return undefined;
    const m = this.violation(`${what} (${op.key}): ${problems.join('; ')}`);
    return armRefusal('InvalidRequestContent', `Contract violation: ${m}`);
  }

  private queryProblems(o: Operation, rec: Recorded): string[] {
    const problems: string[] = [];
    const { required, optional, values } = o.op.query;
    for (const name of required)
      if (!rec.query.has(name)) problems.push(`query parameter '${name}' is missing`);
    for (const [name, value] of Object.entries(values ?? {}))
      if (rec.query.has(name) && rec.query.get(name) !== value)
        problems.push(`query parameter '${name}' must be '${value}', got '${rec.query.get(name)}'`);
    // A URL the server handed out carries the server's own query (a skip token): only the version is the client's.
    if (this.issued.has(urlKey(rec.path, rec.query))) return problems;
    for (const name of new Set(rec.query.keys()))
      if (!required.includes(name) && !optional.includes(name))
        problems.push(
          `query parameter '${name}' is not in the contract (${[...required, ...optional].join(', ')})`,
        );
    return problems;
  }

  private bodyProblems(o: Operation, rec: Recorded): string[] {
    const { op, contract } = o;
    if (!op.body) return rec.body.length > 0 ? [`a body was sent, the operation takes none`] : [];
    if (rec.body.length === 0) return op.body.required ? [`the body (${op.body.name}) is required`] : [];
    const type = rec.headers['content-type'] ?? '';
    if (op.contentType && !type.toLowerCase().startsWith(op.contentType))
      return [`content type '${type}' is not ${op.contentType}`];
    let parsed: Json;
    try {
      parsed = JSON.parse(rec.body) as Json;
    } catch (e) {
      return [`the body is not JSON (${String(e)})`];
    }
    const problems = validate(contract, parsed, op.body.schema, 'request');
    if (op.streamColumns && contract.streams) problems.push(...this.streamProblems(o, rec, parsed));
    return problems;
  }

  /** Rows of a Logs Ingestion upload against the columns of the stream the URL names. */
  private streamProblems(o: Operation, rec: Recorded, rows: Json): string[] {
    const stream = decodeURIComponent(o.pattern!.exec(rec.path)![o.params.indexOf('stream') + 1]!);
    const columns = o.contract.streams![stream];
    if (!columns) return [`stream '${stream}' is not one of ${Object.keys(o.contract.streams!).join(', ')}`];
    const problems: string[] = [];
    (Array.isArray(rows) ? rows : []).forEach((row, i) => {
      if (!row || typeof row !== 'object' || Array.isArray(row)) return;
      if (row.TimeGenerated === undefined) problems.push(`$[${i}]: column 'TimeGenerated' is missing`);
      for (const [name, v] of Object.entries(row)) {
        const type = columns[name];
        if (!type) {
          problems.push(`$[${i}]: column '${name}' is not in stream ${stream}`);
          continue;
        }
        if (v === null) continue;
        const good =
          type === 'string'
            ? typeof v === 'string'
            : type === 'datetime'
              ? typeof v === 'string' && !Number.isNaN(Date.parse(v))
              : type === 'int' || type === 'long'
                ? Number.isInteger(v)
                : type === 'real'
                  ? typeof v === 'number'
                  : type === 'boolean'
                    ? typeof v === 'boolean'
                    : true;
        if (!good) problems.push(`$[${i}].${name}: expected ${type}, got ${JSON.stringify(v).slice(0, 40)}`);
      }
    });
    return problems;
  }

  private checkIdentity(rec: Recorded): Reply | undefined {
    const o = operations().find((x) => x.op.operationId === 'ManagedIdentity_GetToken')!;
    const problems: string[] = [];
    if (rec.method !== o.op.method) problems.push(`method ${rec.method}, the endpoint takes ${o.op.method}`);
    for (const name of o.op.query.required)
      if (!rec.query.get(name)) problems.push(`query parameter '${name}' is missing`);
    for (const [name, value] of Object.entries(o.op.query.values ?? {}))
      if (rec.query.has(name) && rec.query.get(name) !== value)
        problems.push(`query parameter '${name}' must be '${value}', got '${rec.query.get(name)}'`);
    for (const name of new Set(rec.query.keys()))
      if (!o.op.query.required.includes(name) && !o.op.query.optional.includes(name))
        problems.push(`query parameter '${name}' is not in the contract`);
    problems.push(...headerProblems(o.op, rec));
    this.matched.set(rec.seq, o);
    const cov = coverage.get(o.key)!;
    cov.requests++;
    cov.scenarios.add(this.scenario);
    if (problems.length === 0) return undefined;
    const m = this.violation(`${rec.method} identity endpoint (${o.key}): ${problems.join('; ')}`);
    return { status: 400, body: { error: 'invalid_request', error_description: `Contract violation: ${m}` } };
  }

  /** Checks what the fake answers `rec` with; remembers the URLs it hands out. */
  checkResponse(server: Recorded['server'], rec: Recorded, reply: Reply): void {
    if (server === 'foreign' || reply.status === 0) return;
    for (const h of ['Location', 'Azure-AsyncOperation']) {
      const url = Object.entries(reply.headers ?? {}).find(([k]) => k.toLowerCase() === h.toLowerCase())?.[1];
      if (url) this.remember(url);
    }
    const o = this.matched.get(rec.seq);
    if (!o) return; // refused before an operation matched: the refusal is ARM's error shape
    // A body the fake sends as text (an HTML error page) is deliberate misbehaviour, not a JSON response.
    if (typeof reply.body === 'string') return;
    const what = `${rec.method} ${rec.path} (${o.key}) answered ${reply.status}`;
    if (ok2xx(reply.status)) {
      if (!(String(reply.status) in o.op.responses)) {
        this.violation(
          `${what}: status ${reply.status} is not a response the contract declares (${Object.keys(o.op.responses).join(', ')})`,
        );
        return;
      }
      const schema = o.op.responses[String(reply.status)];
      // The specification's example answer for this status, body for body (an example without a body,
      // such as the ingestion upload's 204, is answered by a reply without one).
      const example = (o.example?.responses as JsonObject | undefined)?.[String(reply.status)] as
        JsonObject | undefined;
      const asExample = example !== undefined && deepEqual(example.body, reply.body);
      if (schema === null || schema === undefined) {
        if (reply.body !== undefined)
          this.violation(`${what}: the contract declares no body for this status`);
        else if (asExample) coverage.get(o.key)!.examples.add(this.scenario);
        return;
      }
      const problems = validate(o.contract, reply.body, schema, 'response');
      if (problems.length)
        this.violation(`${what}: the fake's response drifts from the contract: ${problems.join('; ')}`);
      if (reply.body && typeof reply.body === 'object' && !Array.isArray(reply.body)) {
        const next = (reply.body as JsonObject).nextLink;
        if (typeof next === 'string') this.remember(next);
      }
      if (asExample && !problems.length) coverage.get(o.key)!.examples.add(this.scenario);
      return;
    }
    if (server === 'identity' || reply.body === undefined) return;
    const errorSchema = o.contract.definitions.ErrorResponse ? '#ErrorResponse' : undefined;
    if (!errorSchema) return;
    const problems = validate(o.contract, reply.body, errorSchema, 'response');
    const shaped = typeof reply.body === 'object' && reply.body !== null && 'error' in (reply.body as object);
    if (!shaped) problems.push(`an error answer without ARM's { error: { code, message } }`);
    if (problems.length)
      this.violation(`${what}: the fake's error drifts from ARM's error shape: ${problems.join('; ')}`);
  }

  private remember(url: string): void {
    try {
      const u = new URL(url);
      this.issued.add(urlKey(u.pathname, u.searchParams));
    } catch {
      // not a URL: nothing the client could follow
    }
  }
}

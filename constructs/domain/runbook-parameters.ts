/**
 * The runbook's job parameters, in one table: the name as the runbook's `param` block declares it,
 * the lower-case name Automation stores it under, whether the value is a literal of the spec or a
 * reference an engine fills in at deploy, and which scenarios set it. The domain builds every job's
 * parameters from it ({@link runbookJobParameters}), every adapter binds them through it
 * ({@link bindJobParameters}), and a test checks it against the shipped runbook's `param` block
 * ({@link checkRunbookParameterTable}).
 */

/** Who runs the runbook: one automation per vault (A2A, VMware, building blocks) or one for a fleet of existing vaults. */
export type RunbookScenario = 'vault' | 'fleet';

/**
 * What a reference parameter is bound to at deploy. `vaults` and `excludedVaults` are lists of vault
 * ids (literals or references) that the engine joins with commas.
 */
export type RunbookParameterReference =
  | 'vault.id'
  | 'vaults'
  | 'excludedVaults'
  | 'automationAccount.id'
  | 'dataCollectionEndpoint.logsIngestionEndpoint'
  | 'dataCollectionRule.immutableId';

/** One job parameter of the runbook. */
export interface RunbookParameter<N extends string = string> {
  /** As the runbook's `param` block declares it. */
  readonly name: N;
  /** The key of the job's parameters: Automation lower-cases names and reads them back so. */
  readonly jobName: Lowercase<N>;
  /** A literal of the spec, or a reference an engine fills in at deploy. */
  readonly value: 'literal' | 'reference';
  /** What a reference is bound to (absent for a literal). */
  readonly reference?: RunbookParameterReference;
  /** The scenarios whose jobs may set it. */
  readonly scenarios: readonly RunbookScenario[];
}

const literal = <N extends string>(name: N, ...scenarios: RunbookScenario[]): RunbookParameter<N> =>
  Object.freeze({
    name,
    jobName: name.toLowerCase() as Lowercase<N>,
    value: 'literal',
    scenarios: Object.freeze(scenarios),
  });

const reference = <N extends string>(
  name: N,
  to: RunbookParameterReference,
  ...scenarios: RunbookScenario[]
): RunbookParameter<N> =>
  Object.freeze({
    name,
    jobName: name.toLowerCase() as Lowercase<N>,
    value: 'reference',
    reference: to,
    scenarios: Object.freeze(scenarios),
  });

/**
 * The parameters this library sets, in the order every job passes them. The runbook declares more
 * (tuning knobs with defaults of their own); those are not set by a job.
 */
export const RUNBOOK_PARAMETERS = Object.freeze([
  reference('VaultResourceId', 'vault.id', 'vault'),
  reference('VaultResourceIds', 'vaults', 'fleet'),
  literal('AutoUpdateAction', 'vault', 'fleet'),
  reference('AutomationAccountArmId', 'automationAccount.id', 'vault', 'fleet'),
  literal('Providers', 'vault', 'fleet'),
  literal('TimeoutSeconds', 'fleet'),
  literal('DiscoverySubscriptionIds', 'fleet'),
  literal('DiscoveryManagementGroupId', 'fleet'),
  literal('DiscoveryTag', 'fleet'),
  reference('ExcludeVaultResourceIds', 'excludedVaults', 'fleet'),
  reference('IngestionEndpoint', 'dataCollectionEndpoint.logsIngestionEndpoint', 'vault', 'fleet'),
  reference('IngestionRuleId', 'dataCollectionRule.immutableId', 'vault', 'fleet'),
] as const);

/** The name of a parameter of the table, as the runbook declares it. */
export type RunbookParameterName = (typeof RUNBOOK_PARAMETERS)[number]['name'];

/**
 * What a job sets: a literal's value; for a reference, `true` (the plan shows its symbol, such as
 * `<vault.id>`) or, for a list of vault ids, how the plan shows the list.
 */
export type RunbookParameterValues = Partial<Record<RunbookParameterName, string | true>>;

/** How the plan shows a reference: `<vault.id>`. */
export function referenceSymbol(ref: RunbookParameterReference): string {
  return `<${ref}>`;
}

/**
 * A job's parameters as the spec and plan carry them: keyed by the lower-case name, in the table's
 * order, references as their symbols. Throws (a defect of this library, not of the props) when a
 * value is set that the table does not give the scenario, or a literal is set to `true`.
 */
export function runbookJobParameters(
  scenario: RunbookScenario,
  values: RunbookParameterValues,
  table: readonly RunbookParameter[] = RUNBOOK_PARAMETERS,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values) as [string, string | true | undefined][]) {
    const row = table.find((r) => r.name === name);
    if (value !== undefined && (!row || !row.scenarios.includes(scenario)))
      throw new Error(`runbook parameter ${name} is not a parameter of the ${scenario} scenario's jobs`);
    if (value === true && row?.value === 'literal')
      throw new Error(`runbook parameter ${name} is a literal: give its value`);
  }
  for (const row of table) {
    const value = (values as Record<string, string | true | undefined>)[row.name];
    if (value === undefined) continue;
    out[row.jobName] = value === true ? referenceSymbol(row.reference!) : value;
  }
  return out;
}

/**
 * Binds a job's parameters for an engine: literals as they are, each reference to the engine's
 * value of it (`refs`), in the table's order. Throws (a defect of this library) on a parameter the
 * table does not have, or a reference the engine did not give.
 */
export function bindJobParameters<V>(
  parameters: object,
  refs: Partial<Record<RunbookParameterReference, V>>,
  table: readonly RunbookParameter[] = RUNBOOK_PARAMETERS,
): Record<string, string | V> {
  const given = parameters as Record<string, string | undefined>;
  const unknown = Object.keys(given).filter((k) => !table.some((r) => r.jobName === k));
  if (unknown.length > 0) throw new Error(`job parameters not in the runbook's table: ${unknown.join(', ')}`);
  const out: Record<string, string | V> = {};
  for (const row of table) {
    const value = given[row.jobName];
    if (value === undefined) continue;
    if (row.value === 'literal') {
      out[row.jobName] = value;
      continue;
    }
    const bound = refs[row.reference!];
    if (bound === undefined) throw new Error(`no value for ${row.name}'s reference ${row.reference}`);
    out[row.jobName] = bound;
  }
  return out;
}

/**
 * The names a PowerShell script's top-level `param( ... )` block declares, in order (attributes
 * such as `[string]` or `[ValidateSet('a','b')]`, defaults and comments skipped).
 */
export function runbookParameterNames(script: string): string[] {
  const start = /^param\s*\(/im.exec(script);
  if (!start) return [];
  const segments: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let comment = false;
  let current = '';
  for (let i = start.index + start[0].length; i < script.length; i++) {
    const c = script[i]!;
    if (comment) {
      if (c === '\n') comment = false;
      continue;
    }
    if (quote) {
      current += c;
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#') {
      comment = true;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) {
      segments.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  segments.push(current);
  return segments.flatMap((s) => {
    const match = /^\s*(?:\[(?:[^[\]]|\[[^\]]*\])*\]\s*)*\$(\w+)/.exec(s);
    return match ? [match[1]!] : [];
  });
}

/**
 * Where the table and a runbook disagree: a table parameter the `param` block does not declare, a
 * lower-case name that is not the declared one lower-cased, a name given twice, or a parameter no
 * scenario sets. Empty when they agree.
 */
export function checkRunbookParameterTable(
  script: string,
  table: readonly RunbookParameter[] = RUNBOOK_PARAMETERS,
): string[] {
  const declared = runbookParameterNames(script);
  const problems: string[] = [];
  if (declared.length === 0) problems.push('the runbook has no top-level param block');
  const seen = new Set<string>();
  for (const row of table) {
    if (!declared.includes(row.name)) problems.push(`${row.name}: not declared in the runbook's param block`);
    if (row.jobName !== row.name.toLowerCase())
      problems.push(`${row.name}: job name ${row.jobName} is not the declared name in lower case`);
    if (seen.has(row.jobName)) problems.push(`${row.name}: listed more than once`);
    seen.add(row.jobName);
    if (row.scenarios.length === 0) problems.push(`${row.name}: no scenario sets it`);
    if ((row.value === 'reference') !== (row.reference !== undefined))
      problems.push(`${row.name}: a reference names what it is bound to, a literal does not`);
  }
  return problems;
}

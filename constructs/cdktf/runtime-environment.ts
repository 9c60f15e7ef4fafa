// cdktf's escape hatches for what @cdktf/provider-azurerm 14.23.1 (azurerm 4.55.0, the last cdktf
// bindings) predates: `azurerm_automation_runtime_environment` (azurerm 4.57.0) and the runbook's
// `runtime_environment_name` (azurerm 4.59.0). Everything that works around the bindings lives in
// this file, so a binding-neutral adapter can swap it for bindings that have both natively.
import type { AutomationRunbook } from '@cdktf/provider-azurerm/lib/automation-runbook';
import { TerraformElement, TerraformResource, TerraformStack, Token } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import type { RuntimeEnvironmentConfig } from './flavour-contract';

/** The first azurerm release with both the runtime environment resource and the runbook's link to it. */
export const AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION = '4.59.0';
/** The `required_providers.azurerm` constraint a stack gets when it deploys a runtime environment. */
export const AZURERM_VERSION_CONSTRAINT = `>= ${AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION}, < 5.0.0`;

const VERSION_PATH = 'terraform.required_providers.azurerm.version';

/** Config of {@link AutomationRuntimeEnvironment}: the arguments of `azurerm_automation_runtime_environment`. */
export type AutomationRuntimeEnvironmentConfig = RuntimeEnvironmentConfig;

/**
 * `azurerm_automation_runtime_environment` (azurerm >= 4.57.0), typed, over cdktf's
 * `TerraformResource`. Creating one raises the stack's azurerm constraint to
 * {@link AZURERM_VERSION_CONSTRAINT} (see {@link requireAzurermRuntimeEnvironments}).
 */
export class AutomationRuntimeEnvironment extends TerraformResource {
  static readonly tfResourceType = 'azurerm_automation_runtime_environment';
  readonly config: AutomationRuntimeEnvironmentConfig;

  constructor(scope: Construct, id: string, config: AutomationRuntimeEnvironmentConfig) {
    super(scope, id, {
      terraformResourceType: AutomationRuntimeEnvironment.tfResourceType,
      terraformGeneratorMetadata: { providerName: 'azurerm' },
    });
    this.config = config;
    requireAzurermRuntimeEnvironments(this);
  }

  /** The environment's name, as a reference (so the runbook depends on it). */
  get name(): string {
    return this.getStringAttribute('name');
  }

  get id(): string {
    return this.getStringAttribute('id');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return {
      name: c.name,
      automation_account_id: c.automationAccountId,
      location: c.location,
      runtime_language: c.runtimeLanguage,
      runtime_version: c.runtimeVersion,
      description: c.description,
      runtime_default_packages: c.runtimeDefaultPackages,
      tags: c.tags,
    };
  }
}

/** Links a runbook to a runtime environment by name: `runtime_environment_name` (azurerm >= 4.59.0). */
export function linkRuntimeEnvironment(runbook: AutomationRunbook, environmentName: string): void {
  runbook.addOverride('runtime_environment_name', environmentName);
  requireAzurermRuntimeEnvironments(runbook);
}

const guarded = new WeakSet<TerraformStack>();

/**
 * Makes sure the stack's azurerm provider has what runtime environments need, once per stack.
 * With `raise` (cdktf: the bindings alone would pin 4.55.0) the stack's `required_providers.azurerm`
 * version becomes {@link AZURERM_VERSION_CONSTRAINT}. Either way, synth checks that the final
 * constraint still admits {@link AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION}: a user who pins azurerm
 * lower (`stack.addOverride('terraform.required_providers.azurerm.version', ...)`) gets a validation
 * error at synth instead of an unknown-resource error at plan.
 */
export function requireAzurermRuntimeEnvironments(scope: Construct, raise = true): void {
  const stack = TerraformStack.of(scope);
  if (guarded.has(stack)) return;
  guarded.add(stack);
  if (raise) stack.addOverride(VERSION_PATH, AZURERM_VERSION_CONSTRAINT);
  stack.node.addValidation({
    validate: () => {
      const constraint = synthesizedAzurermConstraint(stack);
      if (
        typeof constraint !== 'string' ||
        admitsVersion(constraint, AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION)
      )
        return [];
      return [
        `required_providers.azurerm.version is '${constraint}', but the runbook's PowerShell runtime environment needs azurerm ${AZURERM_RUNTIME_ENVIRONMENT_MIN_VERSION} or later (azurerm_automation_runtime_environment and the runbook's runtime_environment_name): allow it, for example '${AZURERM_VERSION_CONSTRAINT}' (every PowerShell version Azure Automation still runs, 7.4 and 7.6, needs a runtime environment)`,
      ];
    },
  });
}

type TerraformBlock = { terraform?: { required_providers?: { azurerm?: { version?: unknown } } } };
const NOT_SET = Symbol('not set');

/** The value at `terraform.required_providers.azurerm.version` of `doc`, or NOT_SET when absent. */
function versionIn(doc: unknown): unknown {
  const azurerm = (doc as TerraformBlock | undefined)?.terraform?.required_providers?.azurerm;
  return azurerm !== null && typeof azurerm === 'object' && 'version' in azurerm ? azurerm.version : NOT_SET;
}

/**
 * `terraform.required_providers.azurerm.version` as the stack will synthesize it. Resolving the whole
 * stack for it (`stack.toTerraform()`) doubled synth's token resolution; only providers, backends
 * and the stack's own overrides write the `terraform` block, so this reads their fragments, in the
 * order synth merges them (elements, then overrides; the last one wins). Anything unusual (a token,
 * cdktf internals that moved) falls back to the full `toTerraform()`.
 */
function synthesizedAzurermConstraint(stack: TerraformStack): unknown {
  const full = (): unknown => versionIn(stack.toTerraform());
  const overrides = (stack as unknown as { rawOverrides?: unknown }).rawOverrides;
  if (overrides === null || typeof overrides !== 'object') return orUndefined(full());
  let version: unknown = NOT_SET;
  const visit = (node: IConstruct): void => {
    if (TerraformElement.isTerraformElement(node) && !TerraformResource.isTerraformResource(node)) {
      const v = versionIn(node.toTerraform());
      if (v !== NOT_SET) version = v;
    }
    for (const child of node.node.children) if (!TerraformStack.isStack(child)) visit(child);
  };
  for (const child of stack.node.children) if (!TerraformStack.isStack(child)) visit(child);
  const overridden = versionIn(overrides);
  if (overridden !== NOT_SET) version = overridden;
  if (Token.isUnresolved(version)) return orUndefined(full());
  return orUndefined(version);
}
const orUndefined = (v: unknown): unknown => (v === NOT_SET ? undefined : v);

type Version = readonly [number, number, number];

function parseVersion(text: string): { v: Version; parts: number } | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m[3] !== undefined ? 3 : m[2] !== undefined ? 2 : 1;
  return { v: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], parts };
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  return 0;
}

function satisfies(version: Version, term: string): boolean {
  const m = /^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$/.exec(term);
  const parsed = m ? parseVersion(m[2]!) : undefined;
  if (!m || !parsed) return true; // an expression we do not understand is left to Terraform
  const c = compare(version, parsed.v);
  switch (m[1] ?? '=') {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    default: {
      // ~> x.y.z allows >= x.y.z and < x.(y+1).0; ~> x.y allows >= x.y and < (x+1).0.
      const [maj, min] = parsed.v;
      const upper: Version = parsed.parts >= 3 ? [maj, min + 1, 0] : [maj + 1, 0, 0];
      return c >= 0 && compare(version, upper) < 0;
    }
  }
}

/**
 * Whether a Terraform version constraint admits `floor` or some later version (for the versions
 * the constraint names). Exported for tests.
 */
export function admitsVersion(constraint: string, floor: string): boolean {
  const terms = constraint.split(',').filter((t) => t.trim().length > 0);
  const base = parseVersion(floor)!.v;
  const candidates: Version[] = [base];
  for (const t of terms) {
    const p = parseVersion(t.replace(/^\s*(~>|>=|<=|!=|=|>|<)/, ''));
    if (!p || compare(p.v, base) < 0) continue;
    candidates.push(p.v, [p.v[0], p.v[1], p.v[2] + 1]);
  }
  return candidates.some((v) => terms.every((t) => satisfies(v, t)));
}

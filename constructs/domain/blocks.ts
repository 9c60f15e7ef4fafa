import {
  resolveAutoUpdateAutomation,
  type AutoUpdateAutomationProps,
  type AutoUpdateAutomationSpec,
  type VaultFacts,
} from './automation';
import { runPolicyChecks, type Finding, type Suppression } from './checks';
import { handedOver } from './handover';
import {
  autoUpdateTargetFor,
  resolveA2AReplication,
  resolveVmwareReplication,
  type A2AReplicationProps,
  type A2AReplicationSpec,
  type VmwareEngineRequirements,
  type VmwareReplicationProps,
  type VmwareReplicationSpec,
} from './replication';
import {
  checkRef,
  isPlainObject,
  resolveAlone,
  withoutRefs,
  type DeployTimeValues,
  type RuleSet,
} from './rules';
import { resolveRecoveryVault, vaultStandIn, type RecoveryVaultProps, type RecoveryVaultSpec } from './vault';

// Internal: how the building blocks of every engine read their props. Each engine's block
// constructor calls one of these with its own BlockEngine and gets its spec and warnings, or the
// block's one ValidationError, before anything is added to the engine's tree.

type Class<T> = abstract new (...args: never[]) => T;

/** What a building block's resolution needs to know of its engine. */
export interface BlockEngine<R> {
  /** Which values the engine knows only at deploy (tokens, Outputs). */
  readonly deployTime: DeployTimeValues;
  /** What messages call a building block and the block itself: `construct`/`block` (cdktf, cdktn) or `component`/`one` (Pulumi). */
  readonly words: { readonly block: 'construct' | 'component'; readonly self: 'block' | 'one' };
  /** The engine's classes that reference props must be (read when checked, so they may be declared after the engine). */
  readonly classes: () => {
    readonly RecoveryVault: Class<{ readonly spec: RecoveryVaultSpec<R> }>;
    readonly ExistingRecoveryVault: Class<{ readonly spec: VaultFacts<R> }>;
    readonly AutoUpdateAutomation: Class<{ readonly spec: AutoUpdateAutomationSpec<R> }>;
  };
  /** What the engine's VMware block requires of the replication's props. */
  readonly vmware?: VmwareEngineRequirements;
}

/** A block's props as the engine passes them: the domain props, with its references next to them. */
type WithRefs<P, K extends string> = P & { readonly [k in K]?: unknown };

/** A block's spec and the warnings its policy rules found (none when a scenario handed the spec over, having checked it). */
export type BlockResolution<S> = readonly [S, readonly Finding[]];

/** A reference prop (another block) of a block's props, read without trusting their shape. */
function refOf(props: unknown, key: string): unknown {
  return isPlainObject(props) && Object.hasOwn(props, key) ? props[key] : undefined;
}

/** The block's spec as a scenario handed it over, or else resolved by `resolve` under the engine's rules. */
function resolveBlock<R, S>(
  engine: BlockEngine<R>,
  component: string,
  props: unknown,
  resolve: (rules: RuleSet, suppressions: readonly Suppression[] | undefined) => BlockResolution<S>,
): BlockResolution<S> {
  const handed = handedOver<S>(props);
  if (handed) return [handed, []];
  return resolveAlone(
    component,
    (rules) => resolve(rules, refOf(props, 'suppressions') as readonly Suppression[] | undefined),
    engine.deployTime,
  );
}

/** The spec of the vault a block belongs to, or undefined when the vault prop is missing or not one (reported). */
function vaultSpecOf<R>(
  engine: BlockEngine<R>,
  rules: RuleSet,
  vault: unknown,
): RecoveryVaultSpec<R> | undefined {
  const { block, self } = engine.words;
  return checkRef(
    rules,
    'vault',
    vault,
    engine.classes().RecoveryVault,
    `the RecoveryVault ${block} this ${self} belongs to`,
  )
    ? vault.spec
    : undefined;
}

/** `RecoveryVault`: the vault, its lock and diagnostic settings; policy rules on the vault's facts. */
export function resolveRecoveryVaultBlock<R>(
  engine: BlockEngine<R>,
  props: NoInfer<WithRefs<RecoveryVaultProps<R>, 'suppressions'>>,
): BlockResolution<RecoveryVaultSpec<R>> {
  return resolveBlock(engine, 'RecoveryVault', props, (rules, suppressions) => {
    const vault = resolveRecoveryVault<R>(rules, withoutRefs(props, 'suppressions'));
    return [vault, runPolicyChecks(rules, { vault }, suppressions, 'vault')];
  });
}

/** `AutoUpdateAutomation`: for a managed vault or an existing one; anything else is reported and stood in for. */
export function resolveAutoUpdateAutomationBlock<R>(
  engine: BlockEngine<R>,
  props: NoInfer<WithRefs<AutoUpdateAutomationProps<R>, 'vault' | 'suppressions'>>,
): BlockResolution<AutoUpdateAutomationSpec<R>> {
  return resolveBlock(engine, 'AutoUpdateAutomation', props, (rules, suppressions) => {
    const vaultRef = refOf(props, 'vault');
    const { RecoveryVault, ExistingRecoveryVault } = engine.classes();
    const { block, self } = engine.words;
    const vault = rules.check(
      vaultRef instanceof RecoveryVault || vaultRef instanceof ExistingRecoveryVault,
      'vault',
      vaultRef,
      `must be the RecoveryVault ${block} this ${self} belongs to, or an existing vault from RecoveryVault.fromVaultId`,
    )
      ? (vaultRef as { readonly spec: VaultFacts<R> }).spec
      : vaultStandIn<R>();
    const automation = resolveAutoUpdateAutomation<R>(
      rules,
      withoutRefs(props, 'vault', 'suppressions'),
      vault,
    );
    return [automation, runPolicyChecks(rules, { automation }, suppressions, 'automation')];
  });
}

/** `A2AReplication`: its vault, and the optional automation block whose account the mappings use. */
export function resolveA2AReplicationBlock<R>(
  engine: BlockEngine<R>,
  props: NoInfer<WithRefs<A2AReplicationProps<R>, 'vault' | 'automation' | 'suppressions'>>,
): BlockResolution<A2AReplicationSpec<R>> {
  return resolveBlock(engine, 'A2AReplication', props, (rules, suppressions) => {
    const vault = vaultSpecOf(engine, rules, refOf(props, 'vault'));
    const vaultSpec = vault ?? vaultStandIn<R>();
    const automationRef = refOf(props, 'automation');
    const automationOk = checkRef(
      rules,
      'automation',
      automationRef,
      engine.classes().AutoUpdateAutomation,
      `the AutoUpdateAutomation ${engine.words.block} whose account the mappings use`,
      true,
    );
    const a2a = resolveA2AReplication<R>(
      rules,
      withoutRefs(props, 'vault', 'automation', 'suppressions'),
      vaultSpec,
      autoUpdateTargetFor(rules, vaultSpec, automationOk && automationRef !== undefined),
    );
    const automation = automationOk ? automationRef?.spec : undefined;
    return [a2a, runPolicyChecks(rules, { vault, automation, a2a }, suppressions, 'a2a')];
  });
}

/** `VmwareReplication`: its vault; the engine's requirements of the replication's props. */
export function resolveVmwareReplicationBlock<R>(
  engine: BlockEngine<R>,
  props: NoInfer<WithRefs<VmwareReplicationProps, 'vault' | 'suppressions'>>,
): BlockResolution<VmwareReplicationSpec> {
  return resolveBlock(engine, 'VmwareReplication', props, (rules, suppressions) => {
    const vault = vaultSpecOf(engine, rules, refOf(props, 'vault'));
    const vmware = resolveVmwareReplication(
      rules,
      withoutRefs(props, 'vault', 'suppressions'),
      engine.vmware,
    );
    return [vmware, runPolicyChecks(rules, { vault, vmware }, suppressions, 'vmware')];
  });
}

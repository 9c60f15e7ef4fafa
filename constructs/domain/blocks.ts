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

/**
 * The building blocks another block may reference, by kind, with what the domain reads of each.
 * The engine's classes carry the kind as a brand (see {@link blockBrand}).
 */
export interface BlockKinds<R> {
  readonly RecoveryVault: { readonly spec: RecoveryVaultSpec<R> };
  readonly ExistingRecoveryVault: { readonly spec: VaultFacts<R> };
  readonly AutoUpdateAutomation: { readonly spec: AutoUpdateAutomationSpec<R> };
}

/** A kind of building block (a key of {@link BlockKinds}). */
export type BlockKind = keyof BlockKinds<unknown>;

/**
 * The brand one engine's building blocks carry, so that the domain recognises a block by its kind
 * without the engine's classes. Every brand has its own key: a block of another engine, or of the
 * same adapter loaded again (the cdktf and cdktn flavours are one source compiled twice), is not
 * recognised, as `instanceof` on the engine's own classes would not.
 */
export interface BlockBrand<R> {
  /** Brands a class: its instances, and those of its subclasses, are blocks of `kind` of this engine. */
  mark<K extends BlockKind>(blockClass: abstract new (...args: never[]) => BlockKinds<R>[K], kind: K): void;
  /** Whether `value` is a block of `kind` of this engine (an instance of a class branded so). */
  is<K extends BlockKind>(value: unknown, kind: K): value is BlockKinds<R>[K];
}

/** A new brand for the building blocks of `engine` (the name only describes the brand's key). */
export function blockBrand<R>(engine: string): BlockBrand<R> {
  const key = Symbol(`asr-mobility-autoupdate ${engine} building block`);
  return Object.freeze({
    mark: (blockClass: { readonly prototype: object }, kind: BlockKind): void => {
      // On the prototype, not enumerable: read through the prototype chain, as instanceof reads it.
      Object.defineProperty(blockClass.prototype, key, { value: kind });
    },
    is: <K extends BlockKind>(value: unknown, kind: K): value is BlockKinds<R>[K] =>
      typeof value === 'object' && value !== null && (value as { readonly [key]?: unknown })[key] === kind,
  });
}

/** What a building block's resolution needs to know of its engine. */
export interface BlockEngine<R> {
  /** Which values the engine knows only at deploy (tokens, Outputs). */
  readonly deployTime: DeployTimeValues;
  /** What messages call a building block and the block itself: `construct`/`block` (cdktf, cdktn) or `component`/`one` (Pulumi). */
  readonly words: { readonly block: 'construct' | 'component'; readonly self: 'block' | 'one' };
  /** The brand the engine's blocks carry: what reference props must be. */
  readonly brand: BlockBrand<R>;
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
    (v) => engine.brand.is(v, 'RecoveryVault'),
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
    const { brand, words } = engine;
    const vault = checkRef(
      rules,
      'vault',
      vaultRef,
      (v) => brand.is(v, 'RecoveryVault') || brand.is(v, 'ExistingRecoveryVault'),
      `the RecoveryVault ${words.block} this ${words.self} belongs to, or an existing vault from RecoveryVault.fromVaultId`,
    )
      ? vaultRef.spec
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
      (v) => engine.brand.is(v, 'AutoUpdateAutomation'),
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

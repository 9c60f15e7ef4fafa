import { checkName, checkResourceId, parseResourceId, SITE_RECOVERY_CHILD_NAME } from './naming';
import { normalizeRegion } from './regions';
import type { ResourceRef, RuleSet, UncheckedProps } from './rules';
import { checkRegion, type RecoveryVaultSpec } from './vault';

/** Documented Site Recovery ranges, shared by the A2A and InMageRcm policies. */
export const POLICY_LIMITS = Object.freeze({
  /** Recovery points are kept up to 15 days. */
  maxRetentionInMinutes: 15 * 24 * 60,
  /** App-consistent snapshots are taken at most every 12 hours. */
  maxSnapshotFrequencyInMinutes: 12 * 60,
});

/** Replication policy ranges shared by both scenarios. */
export interface ReplicationPolicyProps {
  /**
   * How long recovery points are kept, 0-21600 minutes (15 days).
   * @default 1440 (24 hours)
   */
  readonly recoveryPointRetentionInMinutes?: number;
  /**
   * How often an app-consistent snapshot is taken, 0-720 minutes (12 hours); 0 turns them off.
   * Must not exceed the retention, and must be 0 when the retention is 0.
   * @default 240 (4 hours)
   */
  readonly applicationConsistentSnapshotFrequencyInMinutes?: number;
}

export interface ReplicationPolicySpec {
  readonly name: string;
  readonly instanceType: 'A2A' | 'InMageRcm';
  readonly recoveryPointRetentionInMinutes: number;
  readonly applicationConsistentSnapshotFrequencyInMinutes: number;
  /** Multi-VM consistency: on, as azurerm always sends it. */
  readonly multiVmSyncEnabled: true;
  /** InMageRcm only: crash-consistent points every 10 minutes, as azurerm always sends it. */
  readonly crashConsistentFrequencyInMinutes?: number;
}

/** The Site Recovery REST API version the library speaks where an engine needs one named (and the runbook's default). */
export const SITE_RECOVERY_API_VERSION = '2024-04-01';

/** Azure-to-Azure replication between two regions, with container mappings both ways. */
export interface A2AReplicationProps<R = never> extends ReplicationPolicyProps {
  /**
   * The region the protected VMs run in. A literal: a reference is refused, because the region
   * chooses the schedule's time zone and the fabric, container and mapping names.
   */
  readonly sourceRegion: string;
  /** The region they fail over to. Must differ from `sourceRegion`. A literal, like `sourceRegion`. */
  readonly targetRegion: string;
  /**
   * @default `asr-fabric-<sourceRegion>`
   */
  readonly sourceFabricName?: string;
  /**
   * @default `asr-fabric-<targetRegion>`
   */
  readonly targetFabricName?: string;
  /**
   * @default `asr-container-<sourceRegion>`
   */
  readonly sourceContainerName?: string;
  /**
   * @default `asr-container-<targetRegion>`
   */
  readonly targetContainerName?: string;
  /**
   * @default 'asr-a2a-policy'
   */
  readonly policyName?: string;
  /**
   * A virtual network in the source region; with `targetNetworkResourceId`, network mappings are
   * created both ways. A literal or a reference (`vnet.id`): a literal is checked now, a reference
   * when it is known (Pulumi) or by Azure at deploy (Terraform).
   * @default no network mapping
   */
  readonly sourceNetworkResourceId?: ResourceRef<R>;
  /**
   * The virtual network failed-over VMs join; with `sourceNetworkResourceId`. A literal or a reference.
   * @default no network mapping
   */
  readonly targetNetworkResourceId?: ResourceRef<R>;
}

/** Where a mapping's auto-update points. */
export type AutoUpdateTarget<R = never> =
  | {
      readonly enabled: true;
      readonly automationAccount:
        { readonly kind: 'managed' } | { readonly kind: 'existing'; readonly resourceId: ResourceRef<R> };
      readonly authenticationType: 'SystemAssignedIdentity';
    }
  | { readonly enabled: false };

export interface A2AReplicationSpec<R = never> {
  readonly sourceRegion: string;
  readonly targetRegion: string;
  readonly fabrics: {
    readonly source: { readonly name: string; readonly location: string };
    readonly target: { readonly name: string; readonly location: string };
  };
  readonly containers: { readonly source: string; readonly target: string };
  readonly policy: ReplicationPolicySpec;
  /** Primary to recovery, then recovery to primary (for re-protection after failover). */
  readonly mappings: readonly {
    readonly key: 'sourceToTarget' | 'targetToSource';
    readonly name: string;
    readonly from: 'source' | 'target';
    readonly to: 'source' | 'target';
    readonly autoUpdate: AutoUpdateTarget<R>;
  }[];
  readonly networkMappings: readonly {
    readonly key: 'sourceToTarget' | 'targetToSource';
    readonly name: string;
    readonly from: 'source' | 'target';
    /**
     * The source virtual network's name: Site Recovery files the mapping under it. Undefined when
     * the id is a reference: the adapter reads the name from the id once it is known.
     */
    readonly sourceNetworkName?: string;
    readonly sourceNetworkResourceId: ResourceRef<R>;
    readonly targetNetworkResourceId: ResourceRef<R>;
  }[];
}

/**
 * Where A2A mappings point their auto-update, from the vault's extension update settings: off,
 * an existing account given by id, or the account this library manages (which must then exist).
 */
export function autoUpdateTargetFor<R = never>(
  rules: RuleSet,
  vault: RecoveryVaultSpec<R>,
  managedAccountAvailable: boolean,
): AutoUpdateTarget<R> {
  const ext = vault.extensionUpdateSettings;
  if (!ext.autoUpdateEnabled) return { enabled: false };
  if (ext.automationAccountResourceId !== undefined && ext.automationAccountResourceId !== '') {
    return {
      enabled: true,
      automationAccount: { kind: 'existing', resourceId: ext.automationAccountResourceId },
      authenticationType: 'SystemAssignedIdentity',
    };
  }
  rules.check(
    managedAccountAvailable,
    'automation',
    undefined,
    'auto-update is on: pass the AutoUpdateAutomation construct (cdktf) or component (Pulumi), or set vault.extensionUpdateSettings.automationAccountResourceId',
  );
  return {
    enabled: true,
    automationAccount: { kind: 'managed' },
    authenticationType: 'SystemAssignedIdentity',
  };
}

/** VMware (modernized appliance, provider InMageRcm) replication. */
export interface VmwareReplicationProps extends ReplicationPolicyProps {
  /**
   * Letters, digits and hyphens.
   * @default 'asr-inmagercm-policy'
   */
  readonly policyName?: string;
  /**
   * The policy association (a container mapping on the appliance's fabric). The replication
   * appliance must be registered in the vault before it can be created.
   * @default 'asr-inmagercm-policy-association'
   */
  readonly policyAssociationName?: string;
  /**
   * Accept manual agent upgrades when the vault uses private endpoints (public network access off).
   * Site Recovery cannot upgrade VMware agents automatically behind private endpoints, so without
   * this the combination is an error; with it, no enforcement runbook is deployed and a warning is reported.
   * @default false
   */
  readonly acceptManualAgentUpgrades?: boolean;
  /**
   * The fabric the registered appliance created (with `applianceContainerName`). azurerm finds it
   * at apply; azure-native cannot, so the Pulumi components require both.
   * @default discovered at apply (cdktf only)
   */
  readonly applianceFabricName?: string;
  /**
   * The appliance's protection container, with `applianceFabricName`.
   * @default discovered at apply (cdktf only)
   */
  readonly applianceContainerName?: string;
}

export interface VmwareReplicationSpec {
  readonly policy: ReplicationPolicySpec;
  readonly association: { readonly name: string };
  /** The appliance's fabric and container, when given. */
  readonly appliance?: { readonly fabricName: string; readonly containerName: string };
  readonly acceptManualAgentUpgrades: boolean;
}

export const REPLICATION_DEFAULTS = Object.freeze({
  recoveryPointRetentionInMinutes: 24 * 60,
  applicationConsistentSnapshotFrequencyInMinutes: 4 * 60,
  a2aPolicyName: 'asr-a2a-policy',
  vmwarePolicyName: 'asr-inmagercm-policy',
  vmwareAssociationName: 'asr-inmagercm-policy-association',
});

const CHILD_RULE =
  'a Site Recovery name has 1-63 characters: letters, digits, - and _, starting with a letter or digit';
const VMWARE_POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

function resolvePolicy(
  rules: RuleSet,
  props: UncheckedProps,
  name: string,
  instanceType: 'A2A' | 'InMageRcm',
): ReplicationPolicySpec {
  const d = REPLICATION_DEFAULTS;
  const L = POLICY_LIMITS;
  const givenRetention = rules.integer(
    'recoveryPointRetentionInMinutes',
    props.recoveryPointRetentionInMinutes,
    0,
    L.maxRetentionInMinutes,
    'minutes (15 days)',
  );
  const givenFrequency = rules.integer(
    'applicationConsistentSnapshotFrequencyInMinutes',
    props.applicationConsistentSnapshotFrequencyInMinutes,
    0,
    L.maxSnapshotFrequencyInMinutes,
    'minutes (12 hours)',
  );
  const retentionOk = givenRetention !== undefined || props.recoveryPointRetentionInMinutes === undefined;
  const frequencyOk =
    givenFrequency !== undefined || props.applicationConsistentSnapshotFrequencyInMinutes === undefined;
  const retention = givenRetention ?? d.recoveryPointRetentionInMinutes;
  const frequency = givenFrequency ?? d.applicationConsistentSnapshotFrequencyInMinutes;
  if (retentionOk && frequencyOk) {
    if (retention === 0) {
      rules.check(
        frequency === 0,
        'applicationConsistentSnapshotFrequencyInMinutes',
        frequency,
        'must be 0 when recoveryPointRetentionInMinutes is 0 (no recovery points are kept to hold snapshots)',
      );
    } else {
      rules.check(
        frequency <= retention,
        'applicationConsistentSnapshotFrequencyInMinutes',
        frequency,
        `must not exceed recoveryPointRetentionInMinutes (${retention})`,
      );
    }
  }
  return {
    name,
    instanceType,
    recoveryPointRetentionInMinutes: retention,
    applicationConsistentSnapshotFrequencyInMinutes: frequency,
    multiVmSyncEnabled: true,
    crashConsistentFrequencyInMinutes: instanceType === 'InMageRcm' ? 10 : undefined,
  };
}

/** Every prop of {@link A2AReplicationProps}, for the unknown-prop check. */
export const A2A_REPLICATION_PROP_NAMES = [
  'sourceRegion',
  'targetRegion',
  'sourceFabricName',
  'targetFabricName',
  'sourceContainerName',
  'targetContainerName',
  'policyName',
  'recoveryPointRetentionInMinutes',
  'applicationConsistentSnapshotFrequencyInMinutes',
  'sourceNetworkResourceId',
  'targetNetworkResourceId',
] as const;

/** A Site Recovery child name: the one given when valid, else the default (an invalid one is reported). */
function childName(rules: RuleSet, prop: string, value: unknown, fallback: string): string {
  return checkName(rules, prop, value, SITE_RECOVERY_CHILD_NAME, CHILD_RULE)
    ? ((value as string | undefined) ?? fallback)
    : fallback;
}

/** The network mappings both ways, when both networks are given (they come together). */
function resolveNetworkMappings<R>(
  rules: RuleSet,
  p: { readonly sourceNetworkResourceId?: unknown; readonly targetNetworkResourceId?: unknown },
  source: string,
  target: string,
): A2AReplicationSpec<R>['networkMappings'] {
  const network = (prop: 'sourceNetworkResourceId' | 'targetNetworkResourceId') => {
    const value = rules.ref(prop, p[prop], (r, pp, v) =>
      checkResourceId(r, pp, v, 'Microsoft.Network/virtualNetworks'),
    );
    if (value === undefined) return undefined;
    const id = value as ResourceRef<R>;
    return rules.isDeployTime(value)
      ? { id, name: undefined }
      : { id, name: parseResourceId(value as string)?.name ?? '' };
  };
  const sourceNetwork = network('sourceNetworkResourceId');
  const targetNetwork = network('targetNetworkResourceId');
  const hasNetworks = rules.together(
    'sourceNetworkResourceId',
    p.sourceNetworkResourceId,
    'targetNetworkResourceId',
    p.targetNetworkResourceId,
  );
  return hasNetworks && sourceNetwork && targetNetwork
    ? [
        {
          key: 'sourceToTarget',
          name: `${source}-to-${target}-network`,
          from: 'source',
          sourceNetworkName: sourceNetwork.name,
          sourceNetworkResourceId: sourceNetwork.id,
          targetNetworkResourceId: targetNetwork.id,
        },
        {
          key: 'targetToSource',
          name: `${target}-to-${source}-network`,
          from: 'target',
          sourceNetworkName: targetNetwork.name,
          sourceNetworkResourceId: targetNetwork.id,
          targetNetworkResourceId: sourceNetwork.id,
        },
      ]
    : [];
}

export function resolveA2AReplication<R = never>(
  rules: RuleSet,
  props: A2AReplicationProps<R>,
  vault: RecoveryVaultSpec<R>,
  autoUpdate: AutoUpdateTarget<R>,
): A2AReplicationSpec<R> {
  const p = rules.props(props, A2A_REPLICATION_PROP_NAMES);
  const sourceOk = checkRegion(rules, 'sourceRegion', p.sourceRegion);
  const targetOk = checkRegion(rules, 'targetRegion', p.targetRegion);
  const source = sourceOk ? normalizeRegion(p.sourceRegion as string) : '';
  const target = targetOk ? normalizeRegion(p.targetRegion as string) : '';
  if (sourceOk && targetOk) {
    rules.check(
      source !== target,
      'targetRegion',
      p.targetRegion,
      'must differ from sourceRegion: A2A replicates to another region',
    );
    rules.check(
      vault.location !== source,
      'sourceRegion',
      p.sourceRegion,
      `must differ from the vault's location (${vault.location}): the vault has to survive an outage of the source region, so place it in the target region`,
    );
  }
  // A derived name is only checked when its region is valid; an invalid region is already reported.
  const derived = (prefix: string, region: string, ok: boolean) => (ok ? `${prefix}-${region}` : prefix);
  const names = {
    sourceFabric: childName(
      rules,
      'sourceFabricName',
      p.sourceFabricName,
      derived('asr-fabric', source, sourceOk),
    ),
    targetFabric: childName(
      rules,
      'targetFabricName',
      p.targetFabricName,
      derived('asr-fabric', target, targetOk),
    ),
    sourceContainer: childName(
      rules,
      'sourceContainerName',
      p.sourceContainerName,
      derived('asr-container', source, sourceOk),
    ),
    targetContainer: childName(
      rules,
      'targetContainerName',
      p.targetContainerName,
      derived('asr-container', target, targetOk),
    ),
    policy: childName(rules, 'policyName', p.policyName, REPLICATION_DEFAULTS.a2aPolicyName),
  };
  for (const [prop, name] of [
    ['sourceFabricName', names.sourceFabric],
    ['targetFabricName', names.targetFabric],
    ['sourceContainerName', names.sourceContainer],
    ['targetContainerName', names.targetContainer],
  ] as const) {
    if (p[prop] === undefined) checkName(rules, prop, name, SITE_RECOVERY_CHILD_NAME, CHILD_RULE);
  }
  // Equal regions are already reported; equal derived names would only repeat that.
  rules.check(
    names.sourceFabric !== names.targetFabric || source === target,
    'targetFabricName',
    names.targetFabric,
    'must differ from sourceFabricName',
  );
  const policy = resolvePolicy(rules, p, names.policy, 'A2A');

  const networkMappings = resolveNetworkMappings<R>(rules, p, source, target);
  return {
    sourceRegion: source,
    targetRegion: target,
    fabrics: {
      source: { name: names.sourceFabric, location: source },
      target: { name: names.targetFabric, location: target },
    },
    containers: { source: names.sourceContainer, target: names.targetContainer },
    policy,
    mappings: [
      { key: 'sourceToTarget', name: `${source}-to-${target}`, from: 'source', to: 'target', autoUpdate },
      { key: 'targetToSource', name: `${target}-to-${source}`, from: 'target', to: 'source', autoUpdate },
    ],
    networkMappings,
  };
}

/** What an engine needs beyond the props; the domain checks it so the error is still the one error. */
export interface VmwareEngineRequirements {
  /**
   * The engine cannot discover the appliance's fabric and container at deploy (azure-native), so
   * `replication.applianceFabricName` and `replication.applianceContainerName` are required.
   * @default false (azurerm discovers them)
   */
  readonly applianceNamesRequired?: boolean;
  /**
   * The engine's name, for the error message.
   * @default 'this engine'
   */
  readonly engine?: string;
}

/** Every prop of {@link VmwareReplicationProps}, for the unknown-prop check. */
export const VMWARE_REPLICATION_PROP_NAMES = [
  'recoveryPointRetentionInMinutes',
  'applicationConsistentSnapshotFrequencyInMinutes',
  'policyName',
  'policyAssociationName',
  'acceptManualAgentUpgrades',
  'applianceFabricName',
  'applianceContainerName',
] as const;

export function resolveVmwareReplication(
  rules: RuleSet,
  props: VmwareReplicationProps,
  engine: VmwareEngineRequirements = {},
): VmwareReplicationSpec {
  const p = rules.props(props, VMWARE_REPLICATION_PROP_NAMES);
  const together = rules.together(
    'applianceFabricName',
    p.applianceFabricName,
    'applianceContainerName',
    p.applianceContainerName,
  );
  const fabricOk = checkName(
    rules,
    'applianceFabricName',
    p.applianceFabricName,
    /^[^\s/]{1,260}$/,
    'a fabric name has 1-260 characters, no spaces or slashes',
  );
  const containerOk = checkName(
    rules,
    'applianceContainerName',
    p.applianceContainerName,
    /^[^\s/]{1,260}$/,
    'a container name has 1-260 characters, no spaces or slashes',
  );
  const policyName = checkName(
    rules,
    'policyName',
    p.policyName,
    VMWARE_POLICY_NAME,
    'a VMware policy name has 1-63 characters: letters, digits and hyphens, starting with a letter or digit',
  )
    ? ((p.policyName as string | undefined) ?? REPLICATION_DEFAULTS.vmwarePolicyName)
    : REPLICATION_DEFAULTS.vmwarePolicyName;
  const associationName = childName(
    rules,
    'policyAssociationName',
    p.policyAssociationName,
    REPLICATION_DEFAULTS.vmwareAssociationName,
  );
  const acceptManualAgentUpgrades = rules.bool('acceptManualAgentUpgrades', p.acceptManualAgentUpgrades);
  if (engine.applianceNamesRequired) {
    rules.check(
      together,
      'applianceFabricName',
      p.applianceFabricName,
      `is required with ${engine.engine ?? 'this engine'}, which cannot discover the registered appliance's fabric and container at deploy; set applianceFabricName and applianceContainerName (az site-recovery fabric list / protection-container list)`,
    );
  }
  return {
    policy: resolvePolicy(rules, p, policyName, 'InMageRcm'),
    association: { name: associationName },
    appliance:
      together && fabricOk && containerOk
        ? { fabricName: p.applianceFabricName as string, containerName: p.applianceContainerName as string }
        : undefined,
    acceptManualAgentUpgrades: acceptManualAgentUpgrades ?? false,
  };
}

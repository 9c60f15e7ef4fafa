import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import {
  A2AMobilityAutoUpdate,
  ExistingVaultsMobilityAutoUpdate,
  VmwareMobilityAutoUpdate,
} from '../../constructs/cdktf';
import type {
  A2AScenarioProps,
  Clock,
  ExistingVaultsScenarioProps,
  VmwareScenarioProps,
} from '../../constructs/domain';
import type { BackendConfig } from '../config';

/** What every stack in this repo shares. */
export interface StackSettings {
  /**
   * @default the provider's own resolution (ARM_SUBSCRIPTION_ID)
   */
  readonly subscriptionId?: string;
  /**
   * @default local state
   */
  readonly backend?: BackendConfig;
  /**
   * @default the system clock
   */
  readonly clock?: Clock;
}

function common(stack: TerraformStack, name: string, settings: StackSettings): void {
  new AzurermProvider(stack, 'azurerm', {
    features: [{}],
    subscriptionId: settings.subscriptionId,
    storageUseAzuread: true,
  });
  const b = settings.backend;
  if (b) {
    new AzurermBackend(stack, {
      resourceGroupName: b.resourceGroupName,
      storageAccountName: b.storageAccountName,
      containerName: b.containerName,
      key: b.key ?? `asr-mobility-autoupdate-${name}.tfstate`,
      useAzureadAuth: b.useAzureadAuth ?? true,
    });
  }
}

/** The ids a team wires into other stacks: the vault, and the automation account and its identity when created. */
function outputs(stack: TerraformStack, scenario: A2AMobilityAutoUpdate | VmwareMobilityAutoUpdate): void {
  new TerraformOutput(stack, 'vault_id', { value: scenario.vault.vaultId });
  if (scenario.automation) {
    new TerraformOutput(stack, 'automation_account_id', { value: scenario.automation.automationAccountId });
    new TerraformOutput(stack, 'automation_principal_id', { value: scenario.automation.principalId });
  }
}

/**
 * The scenario's props with the stack's clock, unless the props set their own. Anything that is
 * not an object goes through untouched, so the domain reports it as the user wrote it.
 */
function withClock<P extends A2AScenarioProps | VmwareScenarioProps | ExistingVaultsScenarioProps>(
  props: P,
  clock: Clock | undefined,
): P {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(props)) return props;
  const automation: unknown = props.automation;
  if (automation !== undefined && !isObject(automation)) return props;
  return { ...props, automation: { ...automation, clock: automation?.clock ?? clock } };
}

/** `cdktf deploy a2a`: the Azure-to-Azure scenario. */
export class A2AStack extends TerraformStack {
  readonly scenario: A2AMobilityAutoUpdate;

  constructor(scope: Construct, name: string, props: A2AScenarioProps, settings: StackSettings = {}) {
    super(scope, name);
    common(this, name, settings);
    this.scenario = new A2AMobilityAutoUpdate(this, 'A2A', withClock(props, settings.clock));
    outputs(this, this.scenario);
  }
}

/** `cdktf deploy vmware`: the VMware (modernized appliance) scenario. */
export class VmwareStack extends TerraformStack {
  readonly scenario: VmwareMobilityAutoUpdate;

  constructor(scope: Construct, name: string, props: VmwareScenarioProps, settings: StackSettings = {}) {
    super(scope, name);
    common(this, name, settings);
    this.scenario = new VmwareMobilityAutoUpdate(this, 'VMware', withClock(props, settings.clock));
    outputs(this, this.scenario);
  }
}

/** `cdktf deploy existing`: automation for vaults that already exist (no vault, fabric, container, policy or mapping). */
export class ExistingStack extends TerraformStack {
  readonly scenario: ExistingVaultsMobilityAutoUpdate;

  constructor(
    scope: Construct,
    name: string,
    props: ExistingVaultsScenarioProps,
    settings: StackSettings = {},
  ) {
    super(scope, name);
    common(this, name, settings);
    this.scenario = new ExistingVaultsMobilityAutoUpdate(this, 'Existing', withClock(props, settings.clock));
    new TerraformOutput(this, 'automation_account_id', { value: this.scenario.automationAccountId });
    new TerraformOutput(this, 'automation_principal_id', { value: this.scenario.principalId });
  }
}

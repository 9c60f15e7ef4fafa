import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzurermBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { A2AMobilityAutoUpdate, VmwareMobilityAutoUpdate } from '../../constructs/cdktf';
import type { A2AScenarioProps, Clock, VmwareScenarioProps } from '../../constructs/domain';
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

/** `cdktf deploy a2a`: the Azure-to-Azure scenario. */
export class A2AStack extends TerraformStack {
  readonly scenario: A2AMobilityAutoUpdate;

  constructor(scope: Construct, name: string, props: A2AScenarioProps, settings: StackSettings = {}) {
    super(scope, name);
    common(this, name, settings);
    const automation = { ...(props.automation ?? {}), clock: props.automation?.clock ?? settings.clock };
    this.scenario = new A2AMobilityAutoUpdate(this, 'A2A', { ...props, automation });
    new TerraformOutput(this, 'vault_id', { value: this.scenario.vault.vaultId });
    if (this.scenario.automation) {
      new TerraformOutput(this, 'automation_account_id', {
        value: this.scenario.automation.automationAccountId,
      });
      new TerraformOutput(this, 'automation_principal_id', { value: this.scenario.automation.principalId });
    }
  }
}

/** `cdktf deploy vmware`: the VMware (modernized appliance) scenario. */
export class VmwareStack extends TerraformStack {
  readonly scenario: VmwareMobilityAutoUpdate;

  constructor(scope: Construct, name: string, props: VmwareScenarioProps, settings: StackSettings = {}) {
    super(scope, name);
    common(this, name, settings);
    const automation = { ...(props.automation ?? {}), clock: props.automation?.clock ?? settings.clock };
    this.scenario = new VmwareMobilityAutoUpdate(this, 'VMware', { ...props, automation });
    new TerraformOutput(this, 'vault_id', { value: this.scenario.vault.vaultId });
    if (this.scenario.automation) {
      new TerraformOutput(this, 'automation_account_id', {
        value: this.scenario.automation.automationAccountId,
      });
      new TerraformOutput(this, 'automation_principal_id', { value: this.scenario.automation.principalId });
    }
  }
}

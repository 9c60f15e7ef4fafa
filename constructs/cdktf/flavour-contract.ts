/**
 * What differs between the two Terraform flavours of this adapter: CDK for Terraform (`cdktf`,
 * `@cdktf/provider-azurerm`, azurerm 4.55) and CDK Terrain (`cdktn`, `@cdktn/provider-azurerm`,
 * azurerm 4.73). The adapter is one source written against cdktf; the cdktn flavour is the same code
 * with its module specifiers mapped (scripts/flavours.cjs) and `./flavour` replaced by
 * `./flavour.cdktn`. Both flavour modules implement this contract, so every difference the bindings
 * force lives in those two small files and nowhere else.
 *
 * The one difference the bindings force today is the PowerShell 7.4 runtime environment: azurerm's
 * `azurerm_automation_runtime_environment` and the runbook's `runtime_environment_name` exist in
 * cdktn's bindings (azurerm 4.73.0) but not in cdktf's (4.55.0), so `flavour.ts` declares them through
 * cdktf's escape hatches (runtime-environment.ts) and raises the stack's azurerm constraint, while
 * `flavour.cdktn.ts` uses the native `AutomationRuntimeEnvironment` and `runtimeEnvironmentName`.
 * Parameters are typed with flavour-neutral types (`Construct` from `constructs`), so the contract is
 * valid in both flavours. The README's table of flavour differences and `FLAVOUR_DIFFERENCES`
 * (test/cdktn/flavours.test.ts) list what this changes in the synthesized JSON.
 */
import type { Construct } from 'constructs';

/** The arguments of `azurerm_automation_runtime_environment`, in the bindings' camelCase. */
export interface RuntimeEnvironmentConfig {
  readonly name: string;
  readonly automationAccountId: string;
  readonly location: string;
  readonly runtimeLanguage: 'PowerShell';
  readonly runtimeVersion: string;
  readonly description?: string;
  /** Package name to version; an empty map declares no default packages. */
  readonly runtimeDefaultPackages?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A runtime environment as the adapter uses it: a construct with its name and id as references. */
export interface RuntimeEnvironmentResource extends Construct {
  readonly name: string;
  readonly id: string;
}

export interface TerraformFlavour {
  /** The flavour: its core package, and its CLI's name. */
  readonly name: 'cdktf' | 'cdktn';
  /** The provider bindings this flavour's constructs import (deep imports of `<bindings>/lib/<resource>`). */
  readonly bindings: '@cdktf/provider-azurerm' | '@cdktn/provider-azurerm';
  /** The azurerm version the bindings were generated from (and pin when nothing raises it). */
  readonly bindingsAzurermVersion: string;
  /** The stack's `required_providers.azurerm.version` once a runtime environment is declared or linked. */
  readonly runtimeEnvironmentAzurermVersion: string;
  /** Declares `azurerm_automation_runtime_environment` under `scope`. */
  addRuntimeEnvironment(
    scope: Construct,
    id: string,
    config: RuntimeEnvironmentConfig,
  ): RuntimeEnvironmentResource;
  /** Sets the runbook's `runtime_environment_name` (the runbook is this flavour's `AutomationRunbook`). */
  linkRuntimeEnvironment(runbook: Construct, environmentName: string): void;
}

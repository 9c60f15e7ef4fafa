/**
 * What differs between the two Terraform flavours of this adapter: CDK for Terraform (`cdktf`,
 * `@cdktf/provider-azurerm`, azurerm 4.55) and CDK Terrain (`cdktn`, `@cdktn/provider-azurerm`,
 * azurerm 4.73). The adapter is one source written against cdktf; the cdktn flavour is the same code
 * with its module specifiers mapped (scripts/flavours.cjs) and `./flavour` replaced by
 * `./flavour.cdktn`. Both flavour modules implement this contract, so every difference the bindings
 * force lives in those two small files and nowhere else.
 *
 * Slot reserved for the PowerShell 7.4 runtime environment (issue 9): azurerm's
 * `azurerm_automation_runtime_environment` and the runbook's `runtime_environment_name` exist only in
 * cdktn's bindings. When it lands, add one member here and implement it in both flavour modules,
 * for example
 *
 *     linkRuntimeEnvironment(scope: Construct, id: string, spec: RuntimeEnvironmentSpec,
 *       runbook: Construct): { readonly name: string };
 *
 * - `flavour.ts` (cdktf): the escape hatch, a small typed construct over `TerraformResource` (type
 *   `azurerm_automation_runtime_environment`) and `runbook.addOverride('runtime_environment_name', name)`;
 * - `flavour.cdktn.ts` (cdktn): the native `AutomationRuntimeEnvironment` from
 *   `@cdktn/provider-azurerm/lib/automation-runtime-environment`, and `runbook.runtimeEnvironmentName`
 *   after narrowing with `runbook instanceof AutomationRunbook` (cdktn's class: at run time the
 *   adapter's runbook is one, since its import was mapped).
 *
 * Typing the parameters with flavour-neutral types (`Construct` from `constructs`, domain specs) keeps
 * the contract valid in both flavours. auto-update-automation.ts then calls
 * `TERRAFORM_FLAVOUR.linkRuntimeEnvironment(...)`; list the representation in the README's table of
 * flavour differences and in `FLAVOUR_DIFFERENCES` (test/cdktn/flavours.test.ts).
 */
export interface TerraformFlavour {
  /** The flavour: its core package, and its CLI's name. */
  readonly name: 'cdktf' | 'cdktn';
  /** The provider bindings this flavour's constructs import (deep imports of `<bindings>/lib/<resource>`). */
  readonly bindings: '@cdktf/provider-azurerm' | '@cdktn/provider-azurerm';
}

import { Provider, type ProviderArgs } from '@pulumi/azure-native/provider';
import * as pulumi from '@pulumi/pulumi';

// An azure-native provider for another subscription (a central Log Analytics workspace's) that signs
// in as the deployment does. azure-native addresses a resource in its provider's subscription; an
// explicit provider reads its settings from its own arguments, and, for each setting left unset,
// from the ARM_* environment variable, then falls back to the Azure CLI (pulumi/pulumi-azure-native,
// provider/pkg/provider/auth_azidentity.go, readAuthConfig and newSingleMethodAuthCredential). What
// it does not see is the stack's `azure-native:*` configuration, which only the default provider
// reads: the settings below are copied from it, so a deployer signed in through stack configuration
// (or a Pulumi ESC environment that sets it) is the same principal in both subscriptions.

/** How one `azure-native:*` setting is read from stack configuration. */
type SettingKind = 'string' | 'secret' | 'boolean' | 'list';

/**
 * The azure-native provider settings that choose the cloud and the credential (ProviderArgs of
 * @pulumi/azure-native 3.x), and how each is read. `subscriptionId` and `location` are not
 * credentials and are not copied.
 */
export const AZURE_NATIVE_CREDENTIAL_SETTINGS: Readonly<Record<string, SettingKind>> = {
  environment: 'string',
  metadataHost: 'string',
  tenantId: 'string',
  auxiliaryTenantIds: 'list',
  clientId: 'string',
  clientSecret: 'secret',
  clientCertificatePath: 'string',
  clientCertificatePassword: 'secret',
  useOidc: 'boolean',
  oidcToken: 'secret',
  oidcTokenFilePath: 'string',
  oidcRequestToken: 'secret',
  oidcRequestUrl: 'string',
  useMsi: 'boolean',
  msiEndpoint: 'string',
  useDefaultAzureCredential: 'boolean',
  disableInstanceDiscovery: 'boolean',
  partnerId: 'string',
  disablePulumiPartnerId: 'boolean',
};

/** The part of `pulumi.Config` the copy reads (a test can pass its own). */
export type ProviderConfigReader = Pick<pulumi.Config, 'get' | 'getSecret' | 'getBoolean' | 'getObject'>;

/**
 * The credential settings of the stack's `azure-native:*` configuration, as explicit provider
 * arguments; secrets stay secrets. Settings that are not configured are left out, so the provider
 * falls back to the environment and the Azure CLI as the default provider does.
 */
export function inheritedProviderArgs(
  config: ProviderConfigReader = new pulumi.Config('azure-native'),
): ProviderArgs {
  const args: Record<string, unknown> = {};
  for (const [key, kind] of Object.entries(AZURE_NATIVE_CREDENTIAL_SETTINGS)) {
    const value =
      kind === 'secret'
        ? config.getSecret(key)
        : kind === 'boolean'
          ? config.getBoolean(key)
          : kind === 'list'
            ? config.getObject<string[]>(key)
            : config.get(key);
    if (value !== undefined) args[key] = value;
  }
  return args as ProviderArgs;
}

const SUBSCRIPTION =
  /^\/subscriptions\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\//;

/** The subscription of a resource id, lower-cased; throws naming the value when it has none. */
export function subscriptionOfResourceId(resourceId: string, prop = 'workspaceResourceId'): string {
  const m = SUBSCRIPTION.exec(resourceId);
  if (!m) {
    throw new Error(
      `${prop}: must be a resource id that starts with /subscriptions/{guid}/, got ${JSON.stringify(resourceId)}`,
    );
  }
  return m[1].toLowerCase();
}

/**
 * An azure-native provider for the subscription of `workspaceResourceId` (a literal or a
 * reference), signing in as the stack's default provider would. Pass it as `provider` to what
 * lives in the workspace (its tables).
 */
export function workspaceProvider(
  name: string,
  workspaceResourceId: pulumi.Input<string>,
  opts?: pulumi.ResourceOptions,
  config?: ProviderConfigReader,
): Provider {
  return new Provider(
    name,
    {
      ...inheritedProviderArgs(config),
      subscriptionId: pulumi.output(workspaceResourceId).apply((id) => subscriptionOfResourceId(id)),
    },
    opts,
  );
}

/** The Pulumi-only argument of the components that take `visibility` (a central workspace anywhere). */
export interface WorkspaceProviderArgs {
  /**
   * The azure-native provider the workspace's custom tables are declared with. azure-native
   * addresses a table in its provider's subscription, so it must be one for the workspace's
   * subscription. Pass your own to sign in differently there.
   * @default whenever `visibility` is given, an explicit azure-native provider
   * (`<automation component name>-workspace-provider`) for the subscription of
   * `visibility.workspaceResourceId`, signing in as the stack's default provider (the stack's
   * `azure-native:*` credential settings copied, then `ARM_*` variables and the Azure CLI);
   * ignored without `visibility`
   */
  readonly workspaceProvider?: pulumi.ProviderResource;
}

/** Splits the Pulumi-only `workspaceProvider` off a component's args, so the domain sees its own props only. */
export function splitWorkspaceProvider<A extends WorkspaceProviderArgs>(
  args: A,
): { readonly provider?: pulumi.ProviderResource; readonly props: Omit<A, 'workspaceProvider'> } {
  if (args === null || typeof args !== 'object' || !('workspaceProvider' in args)) return { props: args };
  const { workspaceProvider: provider, ...props } = args;
  return { provider, props };
}

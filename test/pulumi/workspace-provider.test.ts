// A central workspace in another subscription: the tables go through an explicit azure-native
// provider for the workspace's subscription that signs in as the stack's default provider does.
// Under mocks the provider is a registered resource (`pulumi:providers:azure-native`) whose inputs
// the mocks see, and each resource that uses it carries its reference (`<urn>::<id>`).
import { Provider } from '@pulumi/azure-native/provider';
import { Table } from '@pulumi/azure-native/operationalinsights/table';
import * as pulumi from '@pulumi/pulumi';
import { A2AMobilityAutoUpdate, ExistingVaultsMobilityAutoUpdate } from '../../constructs/pulumi';
import { a2aProps, fixedClock } from '../fixtures';
import {
  AZURE_NATIVE_CREDENTIAL_SETTINGS,
  inheritedProviderArgs,
  subscriptionOfResourceId,
  workspaceProvider,
} from '../../constructs/pulumi/workspace-provider';

const DEPLOYMENT_SUB = '00000000-0000-0000-0000-00000000000a';
const MGMT_SUB = '11111111-2222-3333-4444-55555555555B';
const LAW = `/subscriptions/${MGMT_SUB}/resourceGroups/rg-mgmt/providers/Microsoft.OperationalInsights/workspaces/law-central`;
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
  readonly id: string;
}

/** Unwraps Pulumi secret envelopes and records which paths were secret. */
function plain(value: unknown, secrets: string[], path = ''): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (SECRET_SIG in value) {
      secrets.push(path);
      return plain((value as unknown as { value: unknown }).value, secrets, path);
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, plain(v, secrets, path ? `${path}.${k}` : k)]),
    );
  }
  return value;
}

async function run(
  config: Record<string, string>,
  secretKeys: string[],
  program: () => void,
): Promise<Registered[]> {
  pulumi.runtime.setAllConfig(config, secretKeys);
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        const id = `${a.name}-id`;
        registered.push({
          type: a.type,
          name: a.name,
          inputs: a.inputs as Record<string, unknown>,
          provider: a.provider,
          id,
        });
        return { id, state: a.inputs };
      },
      // The deployer's token RunbookContent publishes with: a placeholder, never a token.
      call: (a) => (a.token === 'azure-native:authorization:getClientToken' ? { token: 'not-a-token' } : {}),
    },
    'project',
    'stack',
    false,
  );
  program();
  // Let the registrations settle.
  await new Promise((r) => setTimeout(r, 200));
  return registered;
}

describe('workspace provider', () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  test("addresses the tables in the workspace's subscription, signed in with the stack's azure-native credentials (secrets stay secret)", async () => {
    const registered = await run(
      {
        'azure-native:subscriptionId': DEPLOYMENT_SUB,
        'azure-native:location': 'westeurope',
        'azure-native:tenantId': 'tenant-1',
        'azure-native:clientId': 'app-1',
        'azure-native:clientSecret': 's3cr3t-value',
        'azure-native:useOidc': 'false',
        'azure-native:auxiliaryTenantIds': '["tenant-2"]',
      },
      ['azure-native:clientSecret'],
      () => {
        const provider = workspaceProvider('estate-workspace-provider', LAW);
        new Table(
          'estate-table-AsrAgentStatus_CL',
          { resourceGroupName: 'rg-mgmt', workspaceName: 'law-central', tableName: 'AsrAgentStatus_CL' },
          { provider },
        );
      },
    );
    const provider = registered.find((r) => r.type === 'pulumi:providers:azure-native');
    expect(provider).toBeDefined();
    const secrets: string[] = [];
    const inputs = plain(provider!.inputs, secrets) as Record<string, unknown>;
    expect(inputs).toMatchObject({
      subscriptionId: MGMT_SUB.toLowerCase(),
      tenantId: 'tenant-1',
      clientId: 'app-1',
      clientSecret: 's3cr3t-value',
      useOidc: 'false',
      auxiliaryTenantIds: '["tenant-2"]',
    });
    // Not credentials: the deployment's subscription and default location are not copied.
    expect(inputs.location).toBeUndefined();
    expect(secrets).toEqual(expect.arrayContaining(['clientId', 'clientSecret']));

    const table = registered.find((r) => r.type === 'azure-native:operationalinsights:Table');
    expect(table?.provider).toBe(
      `urn:pulumi:stack::project::pulumi:providers:azure-native::estate-workspace-provider::${provider!.id}`,
    );
  });

  test('takes the subscription from a reference once it is known', async () => {
    const registered = await run({}, [], () => {
      workspaceProvider('ws', pulumi.output(Promise.resolve(LAW.replace(MGMT_SUB, MGMT_SUB.toLowerCase()))));
    });
    const provider = registered.find((r) => r.type === 'pulumi:providers:azure-native');
    expect(plain(provider!.inputs, [])).toMatchObject({ subscriptionId: MGMT_SUB.toLowerCase() });
    // Nothing configured: only the subscription is set; the provider reads ARM_* and the Azure CLI itself.
    const set = Object.entries(provider!.inputs).filter(([, v]) => v !== undefined && v !== 'null');
    expect(set.map(([k]) => k).sort()).toEqual(['environment', 'subscriptionId']);
  });

  test('copies every credential setting by kind, and nothing that is not configured', () => {
    const asked: string[] = [];
    const reader = {
      get: (k: string) => (asked.push(`get:${k}`), k === 'tenantId' ? 't' : undefined),
      getSecret: (k: string) => (
        asked.push(`secret:${k}`),
        k === 'clientSecret' ? pulumi.secret('x') : undefined
      ),
      getBoolean: (k: string) => (asked.push(`bool:${k}`), k === 'useMsi' ? true : undefined),
      getObject: <T>(k: string): T | undefined => (asked.push(`list:${k}`), undefined),
    } as unknown as Parameters<typeof inheritedProviderArgs>[0];
    const args = inheritedProviderArgs(reader);
    expect(Object.keys(args).sort()).toEqual(['clientSecret', 'tenantId', 'useMsi']);
    expect(asked).toHaveLength(Object.keys(AZURE_NATIVE_CREDENTIAL_SETTINGS).length);
    expect(asked).toEqual(
      expect.arrayContaining([
        'secret:clientSecret',
        'secret:oidcToken',
        'bool:useOidc',
        'list:auxiliaryTenantIds',
      ]),
    );
  });

  test('fails when the workspace id has no subscription, naming the prop and the value', () => {
    expect(() => subscriptionOfResourceId('/resourceGroups/rg/providers/x/y/z')).toThrow(
      'workspaceResourceId: must be a resource id that starts with /subscriptions/{guid}/, got "/resourceGroups/rg/providers/x/y/z"',
    );
    expect(subscriptionOfResourceId(LAW)).toBe(MGMT_SUB.toLowerCase());
  });

  const TABLE = 'azure-native:operationalinsights:Table';
  const PROVIDER = 'pulumi:providers:azure-native';
  const urnOf = (r: Registered, parents: string) =>
    `urn:pulumi:stack::project::${parents}pulumi:providers:azure-native::${r.name}::${r.id}`;

  test("declares a scenario's tables in the central workspace's subscription through its own provider, and nothing else through it", async () => {
    const registered = await run(
      { 'azure-native:subscriptionId': DEPLOYMENT_SUB, 'azure-native:tenantId': 'tenant-1' },
      [],
      () =>
        new A2AMobilityAutoUpdate(
          'a2a',
          a2aProps({ automation: { clock: fixedClock, visibility: { workspaceResourceId: LAW } } }),
        ),
    );
    const providers = registered.filter((r) => r.type === PROVIDER);
    expect(providers.map((p) => p.name)).toEqual(['a2a-automation-workspace-provider']);
    expect(plain(providers[0]!.inputs, [])).toMatchObject({
      subscriptionId: MGMT_SUB.toLowerCase(),
      tenantId: 'tenant-1',
    });
    // A URN names the parent's type only.
    const ref = urnOf(providers[0]!, 'asr-mobility-autoupdate:automation:AutoUpdateAutomation$');
    const tables = registered.filter((r) => r.type === TABLE);
    expect(tables.map((t) => [t.name, t.provider])).toEqual([
      ['a2a-automation-table-AsrMobilityRun_CL', ref],
      ['a2a-automation-table-AsrMobilityAgent_CL', ref],
    ]);
    expect(tables.map((t) => t.inputs.resourceGroupName)).toEqual(['rg-mgmt', 'rg-mgmt']);
    // Everything else stays with the stack's default provider (in the deployment's subscription).
    expect(registered.filter((r) => r.type !== TABLE && r.provider === ref)).toEqual([]);
  });

  test('uses the workspace provider a fleet is given, and creates none', async () => {
    const registered = await run({ 'azure-native:subscriptionId': DEPLOYMENT_SUB }, [], () => {
      const mine = new Provider('mgmt', { subscriptionId: MGMT_SUB });
      new ExistingVaultsMobilityAutoUpdate('fleet', {
        vaults: [
          {
            vaultResourceId: `/subscriptions/${DEPLOYMENT_SUB}/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/rsv-a`,
            sourceRegion: 'northeurope',
          },
        ],
        automation: {
          name: 'aa-fleet',
          resourceGroupName: 'rg-automation',
          location: 'westeurope',
          clock: fixedClock,
          visibility: { workspaceResourceId: LAW },
        },
        workspaceProvider: mine,
      });
    });
    const providers = registered.filter((r) => r.type === PROVIDER);
    expect(providers.map((p) => p.name)).toEqual(['mgmt']);
    const tables = registered.filter((r) => r.type === TABLE);
    expect(tables).toHaveLength(2);
    for (const t of tables) expect(t.provider).toBe(urnOf(providers[0]!, ''));
  });

  test('creates no workspace provider without visibility', async () => {
    const registered = await run(
      {},
      [],
      () => new A2AMobilityAutoUpdate('a2a', a2aProps({ automation: { clock: fixedClock } })),
    );
    expect(registered.filter((r) => r.type === PROVIDER || r.type === TABLE)).toEqual([]);
  });
});

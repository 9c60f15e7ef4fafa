import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS } from '../../stacks/pulumi/config';
// The public offline preview, imported as a platform team imports it.
import { previewOffline } from 'asr-mobility-autoupdate/pulumi';

const root = join(__dirname, '..', '..');
const example = 'examples/pulumi/index.ts';

describe('the Pulumi guide example', () => {
  it('is the file docs/pulumi.md shows, word for word', () => {
    expect(readFileSync(join(root, 'docs', 'pulumi.md'), 'utf8')).toContain(
      ['```ts', readFileSync(join(root, example), 'utf8')].join('\n') + '```',
    );
  });

  it('registers two vaults with auto-update in each source region time zone', async () => {
    const preview = await previewOffline(
      () => {
        jest.isolateModules(() => {
          require(join(root, example)); // eslint-disable-line @typescript-eslint/no-require-imports
        });
      },
      { project: 'platform-team', stack: 'dr' },
    );
    const inputs = (type: string) =>
      preview.resources.filter((r) => r.type === type).map((r) => r.inputs as Record<string, unknown>);
    expect(inputs('azure-native:recoveryservices:Vault').map((v) => v.vaultName)).toEqual([
      'rsv-payments-dr-northeurope',
      'rsv-crm-dr-westus3',
    ]);
    expect(inputs('azure-native:automation:Schedule').map((s) => s.timeZone)).toEqual([
      'Europe/Amsterdam',
      'America/New_York',
    ]);
    expect(inputs('azure-native:recoveryservices:ReplicationProtectionContainerMapping')).toHaveLength(4);
    // The team's resource group and workspace are passed as Outputs; the vault gets the resolved values.
    expect(inputs('azure-native:recoveryservices:Vault').map((v) => v.resourceGroupName)).toEqual([
      'rg-payments-dr',
      'rg-crm-dr',
    ]);
    expect(inputs('azure-native:monitor:DiagnosticSetting').map((d) => d.workspaceId)).toEqual([
      expect.stringMatching(/\/providers\/Microsoft\.OperationalInsights\/workspaces\/law-payments-dr$/),
      expect.stringMatching(/\/providers\/Microsoft\.OperationalInsights\/workspaces\/law-crm-dr$/),
    ]);
  });
});

describe('the existing-vaults example (Pulumi)', () => {
  const file = 'examples/pulumi/existing-vaults.ts';

  it('is the file docs/existing-vaults.md shows, word for word', () => {
    expect(readFileSync(join(root, 'docs', 'existing-vaults.md'), 'utf8')).toContain(
      ['```ts', readFileSync(join(root, file), 'utf8')].join('\n') + '```',
    );
  });

  it('registers no vault, one account per arrangement, and roles scoped to each vault id', async () => {
    const preview = await previewOffline(
      () => {
        jest.isolateModules(() => {
          require(join(root, file)); // eslint-disable-line @typescript-eslint/no-require-imports
        });
      },
      { project: 'platform-team', stack: 'existing' },
    );
    const inputs = (type: string) =>
      preview.resources.filter((r) => r.type === type).map((r) => r.inputs as Record<string, unknown>);
    expect(preview.resources.filter((r) => r.type.startsWith('azure-native:recoveryservices:'))).toEqual([]);
    expect(inputs('azure-native:automation:AutomationAccount').map((a) => a.automationAccountName)).toEqual([
      'aa-platform-asr-updates',
      'rsv-hr-dr-uksouth-asr-updates',
    ]);
    expect(
      inputs('azure-native:authorization:RoleAssignment').map((r) => String(r.scope).split('/').pop()),
    ).toEqual(['rsv-payments-dr-westeurope', 'rsv-crm-dr-westus3', 'rsv-hr-dr-uksouth']);
  });
});

describe('the Pulumi configuration table (docs/pulumi.md)', () => {
  it('names every config key', () => {
    const page = readFileSync(join(root, 'docs', 'pulumi.md'), 'utf8');
    expect(Object.keys(CONFIG_KEYS).filter((k) => !page.includes(`\`${k}\``))).toEqual([]);
  });
});

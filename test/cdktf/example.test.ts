import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const example = 'examples/cdktf/main.ts';

describe('the cdktf guide example', () => {
  it.each([
    [example, 'docs/cdktf.md'],
    ['examples/cdktn/main.ts', 'docs/cdktn.md'],
  ])('%s is the file %s shows, word for word', (file, page) => {
    const text = readFileSync(join(root, page), 'utf8');
    expect(text).toContain(['```ts', readFileSync(join(root, file), 'utf8')].join('\n') + '```');
  });

  it('synthesizes two vaults with auto-update in each source region time zone', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'asr-example-'));
    const before = process.env.CDKTF_OUTDIR;
    try {
      process.env.CDKTF_OUTDIR = outdir;
      jest.isolateModules(() => {
        require(join(root, example)); // eslint-disable-line @typescript-eslint/no-require-imports
      });
      const doc = JSON.parse(readFileSync(join(outdir, 'stacks', 'dr', 'cdk.tf.json'), 'utf8'));
      const names = (type: string) =>
        Object.values(doc.resource[type] as Record<string, { name: string }>)
          .map((r) => r.name)
          .sort();
      expect(names('azurerm_recovery_services_vault')).toEqual([
        'rsv-crm-dr-westus3',
        'rsv-payments-dr-northeurope',
      ]);
      expect(names('azurerm_site_recovery_protection_container_mapping')).toEqual([
        'eastus-to-westus3',
        'northeurope-to-westeurope',
        'westeurope-to-northeurope',
        'westus3-to-eastus',
      ]);
      const zones = Object.values(
        doc.resource.azurerm_automation_schedule as Record<string, { timezone: string }>,
      )
        .map((s) => s.timezone)
        .sort();
      expect(zones).toEqual(['America/New_York', 'Europe/Amsterdam']);
      // The team's resource group and workspace are passed as references, not names.
      const vaults = Object.entries(
        doc.resource.azurerm_recovery_services_vault as Record<string, Record<string, unknown>>,
      );
      for (const [, v] of vaults)
        expect(v.resource_group_name).toMatch(/^\$\{azurerm_resource_group\.[\w-]+\.name\}$/);
      const diags = Object.values(
        doc.resource.azurerm_monitor_diagnostic_setting as Record<string, Record<string, unknown>>,
      );
      expect(diags).toHaveLength(2);
      for (const d of diags)
        expect(d.log_analytics_workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\.[\w-]+\.id\}$/);
      expect(JSON.stringify(doc)).not.toContain('TfToken');
    } finally {
      if (before === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = before;
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the existing-vaults example (cdktf)', () => {
  const file = 'examples/cdktf/existing-vaults.ts';

  it('is the file docs/existing-vaults.md shows, word for word', () => {
    const page = readFileSync(join(root, 'docs', 'existing-vaults.md'), 'utf8');
    expect(page).toContain(['```ts', readFileSync(join(root, file), 'utf8')].join('\n') + '```');
  });

  it('synthesizes the fleet and the single vault with no vault or mapping, roles scoped to each vault id', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'asr-example-'));
    const before = process.env.CDKTF_OUTDIR;
    try {
      process.env.CDKTF_OUTDIR = outdir;
      jest.isolateModules(() => {
        require(join(root, file)); // eslint-disable-line @typescript-eslint/no-require-imports
      });
      const read = (stack: string) =>
        JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
          resource: Record<string, Record<string, Record<string, unknown>>>;
        };
      const fleet = read('existing-vaults');
      const single = read('existing-vault');
      for (const doc of [fleet, single])
        expect(Object.keys(doc.resource).filter((t) => /recovery_services|site_recovery/.test(t))).toEqual(
          [],
        );
      const scopes = (doc: ReturnType<typeof read>) =>
        Object.values(doc.resource.azurerm_role_assignment!).map((r) => String(r.scope).split('/').pop());
      expect(scopes(fleet).sort()).toEqual(['rsv-crm-dr-westus3', 'rsv-payments-dr-westeurope']);
      expect(scopes(single)).toEqual(['rsv-hr-dr-uksouth']);
      const zones = Object.values(fleet.resource.azurerm_automation_schedule!).map((s) => s.timezone);
      expect(zones.sort()).toEqual(['America/New_York', 'Europe/Dublin']);
      expect(Object.values(single.resource.azurerm_automation_account!)[0]!.name).toBe(
        'rsv-hr-dr-uksouth-asr-updates',
      );
    } finally {
      if (before === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = before;
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('the performance page', () => {
  it('shows the latest benchmark figures (bench/results.md, from npm run bench)', () => {
    const page = readFileSync(join(root, 'docs', 'performance.md'), 'utf8');
    expect(page).toContain(
      `<!-- prettier-ignore-start -->\n${readFileSync(join(root, 'bench', 'results.md'), 'utf8')}<!-- prettier-ignore-end -->`,
    );
    expect(page).toContain('![Fleet scaling: wall time against vaults](../bench/fleet-scaling.svg)');
  });
});

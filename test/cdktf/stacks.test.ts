import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { App, Testing } from 'cdktf';
import { TERRAFORM_FLAVOUR } from '../../constructs/cdktf';
import { admitsVersion, AZURERM_VERSION_CONSTRAINT } from '../../constructs/cdktf/runtime-environment';
import { BUILT_IN_ROLES, RUNBOOK_ROLE_ACTIONS, runbookAsset } from '../../constructs/domain/internal';
import { buildApp } from '../../stacks/cdktf/main';
import { A2AStack, ExistingStack, VmwareStack } from '../../stacks/cdktf/stacks';
import { a2aProps, fixedClock, NOW, SUB } from '../fixtures';
import { only, resources, synth, terraformTemplateText, testApp, type TfJson } from './helpers';

/** The terraform CLI on PATH, if this machine has one (the round-trip test runs only then). */
const terraformCli = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'terraform'))
  .find((f) => existsSync(f));

const exampleContext = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdktf.json'), 'utf8')).context;

function a2aDoc(props = a2aProps()): TfJson {
  return synth(new A2AStack(testApp(), 'a2a', props));
}

// This file runs in both jest projects: cdktf, and cdktn (the same source mapped to the cdktn
// bindings, with its snapshots in test/cdktn/__snapshots__).
describe('a2a stack (example configuration)', () => {
  const app = buildApp(testApp(exampleContext), { ASR_NOW: NOW });
  const doc = synth(app.node.findChild('a2a') as A2AStack);

  it('matches the committed snapshot', () => {
    expect(doc).toMatchSnapshot();
  });

  it(`synthesizes with ${TERRAFORM_FLAVOUR.bindings} (${TERRAFORM_FLAVOUR.name})`, () => {
    const bindings = JSON.parse(
      readFileSync(
        join(__dirname, '..', '..', 'node_modules', TERRAFORM_FLAVOUR.bindings, 'package.json'),
        'utf8',
      ),
    ) as { cdktf: { provider: { version: string } } };
    const required = doc.terraform?.required_providers as Record<string, { version: string }>;
    expect(TERRAFORM_FLAVOUR.bindingsAzurermVersion).toBe(bindings.cdktf.provider.version);
    expect(required.azurerm!.version).toBe(TERRAFORM_FLAVOUR.runtimeEnvironmentAzurermVersion);
  });

  it('enables auto-update on both mappings with the managed identity and this automation account', () => {
    const account = Object.keys(doc.resource.azurerm_automation_account!)[0];
    const mappings = resources(doc, 'azurerm_site_recovery_protection_container_mapping');
    expect(mappings.map((m) => m.name).sort()).toEqual([
      'northeurope-to-westeurope',
      'westeurope-to-northeurope',
    ]);
    for (const m of mappings) {
      expect(m.automatic_update).toEqual({
        enabled: true,
        authentication_type: 'SystemAssignedIdentity',
        automation_account_id: `\${azurerm_automation_account.${account}.id}`,
      });
    }
  });

  it('maps containers in both directions', () => {
    const [st, ts] = resources(doc, 'azurerm_site_recovery_protection_container_mapping').sort((a, b) =>
      String(a.name).localeCompare(String(b.name)),
    );
    expect(String(st!.recovery_source_protection_container_name)).toContain('SourceContainer');
    expect(String(st!.recovery_target_protection_container_id)).toContain('TargetContainer');
    expect(String(ts!.recovery_source_protection_container_name)).toContain('TargetContainer');
    expect(String(ts!.recovery_target_protection_container_id)).toContain('SourceContainer');
  });

  it('gives the job schedule lower-case keys and the right values', () => {
    const js = only(doc, 'azurerm_automation_job_schedule');
    const params = js.parameters as Record<string, string>;
    // The example names a workspace: the runbook also gets the ingestion parameters (visibility.test.ts).
    expect(Object.keys(params).sort()).toEqual([
      'automationaccountarmid',
      'autoupdateaction',
      'ingestionendpoint',
      'ingestionruleid',
      'providers',
      'vaultresourceid',
    ]);
    expect(params.autoupdateaction).toBe('Enabled');
    expect(params.providers).toBe('A2A');
    expect(params.vaultresourceid).toMatch(/^\$\{azurerm_recovery_services_vault\.[^.]+\.id\}$/);
    expect(params.automationaccountarmid).toMatch(/^\$\{azurerm_automation_account\.[^.]+\.id\}$/);
  });

  it('uploads the runbook with the asset content and its hash, on a PowerShell 7.6 runtime environment', () => {
    const rb = only(doc, 'azurerm_automation_runbook');
    const env = only(doc, 'azurerm_automation_runtime_environment');
    expect(env).toMatchObject({
      name: 'asr-mobility-autoupdate-ps76',
      runtime_language: 'PowerShell',
      runtime_version: '7.6',
      runtime_default_packages: {},
      location: 'westeurope',
    });
    expect(env.automation_account_id).toMatch(/^\$\{azurerm_automation_account\.[A-Za-z0-9_]+\.id\}$/);
    expect(rb.runbook_type).toBe('PowerShell');
    expect(rb.runtime_environment_name).toMatch(
      /^\$\{azurerm_automation_runtime_environment\.[A-Za-z0-9_]+\.name\}$/,
    );
    expect(String(rb.description)).toContain(runbookAsset().sha256);
  });

  it('passes the runbook as literal text: every ${ and %{ escaped, so Terraform reads back the file', () => {
    const content = String(only(doc, 'azurerm_automation_runbook').content);
    // The runbook has PowerShell "${VaultId}" and the like: unescaped, Terraform fails with "Invalid reference".
    expect(runbookAsset().content).toMatch(/\$\{\w+\}/);
    expect(content.match(/(?<!\$)\$\{/g) ?? []).toEqual([]);
    expect(content.match(/(?<!%)%\{/g) ?? []).toEqual([]);
    expect(terraformTemplateText(content)).toBe(runbookAsset().content);
  });

  (terraformCli ? it : it.skip)(
    'Terraform itself reads the synthesized runbook content back as the runbook file (terraform apply of an output)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'asr-tf-literal-'));
      try {
        const content = only(doc, 'azurerm_automation_runbook').content;
        writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ output: { content: { value: content } } }));
        writeFileSync(join(dir, 'cli.tfrc'), '');
        const tf = (...args: string[]) => {
          const r = spawnSync(terraformCli!, args, {
            cwd: dir,
            encoding: 'utf8',
            timeout: 60000,
            env: {
              ...process.env,
              TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'),
              CHECKPOINT_DISABLE: '1',
              TF_IN_AUTOMATION: '1',
            },
          });
          if (r.status !== 0) throw new Error(`terraform ${args[0]}: ${r.stderr}${r.stdout}`);
          return r.stdout;
        };
        tf('init', '-input=false');
        tf('apply', '-auto-approve', '-input=false');
        expect(tf('output', '-raw', 'content')).toBe(runbookAsset().content);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('schedules daily midnight in the source region zone, and ignores the start time after creation', () => {
    const s = only(doc, 'azurerm_automation_schedule');
    expect(s).toMatchObject({
      frequency: 'Day',
      interval: 1,
      timezone: 'Europe/Dublin',
      start_time: '2026-11-23T00:00:00+00:00',
      lifecycle: { ignore_changes: ['start_time'] },
    });
  });

  it('scopes the role to the vault, as a service principal, with a subscription-scoped role id', () => {
    // The other assignment is the estate's, on the data collection rule (visibility.test.ts).
    const all = resources(doc, 'azurerm_role_assignment');
    const onVault = all.filter((r) => String(r.scope).startsWith('${azurerm_recovery_services_vault.'));
    expect(all.filter((r) => !onVault.includes(r)).map((r) => r.scope)).toEqual([
      expect.stringMatching(/^\$\{azurerm_monitor_data_collection_rule\.[^.]+\.id\}$/),
    ]);
    expect(onVault).toHaveLength(1);
    const ra = onVault[0]!;
    expect(ra.scope).toMatch(/^\$\{azurerm_recovery_services_vault\.[^.]+\.id\}$/);
    expect(ra.principal_type).toBe('ServicePrincipal');
    expect(ra.skip_service_principal_aad_check).toBe(true);
    expect(ra.principal_id).toMatch(/^\$\{azurerm_automation_account\.[^.]+\.identity\[0\]\.principal_id\}$/);
    expect(ra.role_definition_id).toBe(
      `/subscriptions/\${element(split("/", ${String(ra.scope).slice(2, -1)}), 2)}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Contributor}`,
    );
    expect(ra.name).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates the account with a system-assigned identity only, local auth off and no public access', () => {
    const a = only(doc, 'azurerm_automation_account');
    expect(a).toMatchObject({
      identity: { type: 'SystemAssigned' },
      local_authentication_enabled: false,
      public_network_access_enabled: false,
      sku_name: 'Basic',
    });
  });

  it('creates both network mappings and the lock from the example', () => {
    expect(resources(doc, 'azurerm_site_recovery_network_mapping')).toHaveLength(2);
    expect(only(doc, 'azurerm_management_lock')).toMatchObject({
      lock_level: 'CanNotDelete',
      name: 'lock-rsv-asr-a2a-weu',
    });
  });

  it('never writes RunAsAccount', () => {
    expect(JSON.stringify(doc)).not.toContain('"RunAsAccount"');
  });
});

describe('vmware stack (example configuration)', () => {
  const app = buildApp(testApp(exampleContext), { ASR_NOW: NOW });
  const doc = synth(app.node.findChild('vmware') as VmwareStack);

  it('matches the committed snapshot', () => {
    expect(doc).toMatchSnapshot();
  });

  it('turns classic VMware replication off on the vault', () => {
    expect(only(doc, 'azurerm_recovery_services_vault').classic_vmware_replication_enabled).toBe(false);
  });

  it('creates the InMageRcm policy with the configured ranges and its association', () => {
    expect(only(doc, 'azurerm_site_recovery_vmware_replication_policy')).toMatchObject({
      recovery_point_retention_in_minutes: 4320,
      application_consistent_snapshot_frequency_in_minutes: 240,
      name: 'asr-inmagercm-policy',
    });
    expect(
      String(only(doc, 'azurerm_site_recovery_vmware_replication_policy_association').policy_id),
    ).toMatch(/azurerm_site_recovery_vmware_replication_policy\./);
  });

  it('runs the runbook for InMageRcm in the vault region zone', () => {
    const params = only(doc, 'azurerm_automation_job_schedule').parameters as Record<string, string>;
    expect(params.providers).toBe('InMageRcm');
    expect(params.autoupdateaction).toBe('Enabled');
    expect(only(doc, 'azurerm_automation_schedule').timezone).toBe('Europe/Amsterdam');
  });
});

describe('existing stack (example configuration)', () => {
  const app = buildApp(testApp(exampleContext), { ASR_NOW: NOW });
  const doc = synth(app.node.findChild('existing') as ExistingStack);
  const example = (
    exampleContext as {
      asr: {
        existing: {
          vaults: { vaultResourceId: string }[];
          discovery: { subscriptionIds: string[]; excludeVaultResourceIds: string[] };
        };
      };
    }
  ).asr.existing;
  const configured = example.vaults;

  it('matches the committed snapshot', () => {
    expect(doc).toMatchSnapshot();
  });

  it('declares no vault, fabric, container, policy or mapping', () => {
    const siteRecovery = Object.keys(doc.resource).filter(
      (t) => t.startsWith('azurerm_recovery_services') || t.startsWith('azurerm_site_recovery'),
    );
    expect(siteRecovery).toEqual([]);
    expect(Object.keys(doc.resource).sort()).toEqual([
      'azurerm_automation_account',
      'azurerm_automation_job_schedule',
      'azurerm_automation_runbook',
      'azurerm_automation_runtime_environment',
      'azurerm_automation_schedule',
      'azurerm_monitor_metric_alert',
      'azurerm_role_assignment',
      'azurerm_role_definition',
    ]);
  });

  it('creates one automation account, with a system-assigned identity and local auth off', () => {
    expect(only(doc, 'azurerm_automation_account')).toMatchObject({
      name: 'aa-asr-fleet-updates',
      resource_group_name: 'rg-asr-automation',
      identity: { type: 'SystemAssigned' },
      local_authentication_enabled: false,
      public_network_access_enabled: false,
    });
  });

  it('scopes a role assignment exactly to each configured vault id and discovery subscription, and nowhere else', () => {
    const assignments = resources(doc, 'azurerm_role_assignment');
    expect(assignments.map((ra) => ra.scope).sort()).toEqual(
      [
        ...configured.map((v) => v.vaultResourceId),
        ...example.discovery.subscriptionIds.map((s) => `/subscriptions/${s}`),
      ].sort(),
    );
    // By default: Contributor on each listed vault, the library's custom role at the discovery scope.
    const [definition] = resources(doc, 'azurerm_role_definition');
    expect(resources(doc, 'azurerm_role_definition')).toHaveLength(1);
    expect(definition!.assignable_scopes).toEqual(
      example.discovery.subscriptionIds.map((s) => `/subscriptions/${s}`),
    );
    expect(definition!.permissions).toEqual([
      expect.objectContaining({ actions: [...RUNBOOK_ROLE_ACTIONS] }),
    ]);
    const custom = `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/${String(definition!.role_definition_id)}`;
    for (const ra of assignments) {
      expect(ra.principal_type).toBe('ServicePrincipal');
      expect(ra.principal_id).toMatch(
        /^\$\{azurerm_automation_account\.[^.]+\.identity\[0\]\.principal_id\}$/,
      );
      expect(ra.role_definition_id).toBe(
        String(ra.scope).includes('/vaults/')
          ? `/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Contributor}`
          : custom,
      );
    }
  });

  it('groups job schedules by time zone, each passing its vault ids in vaultresourceids, and discovers in its own zone', () => {
    const schedules = resources(doc, 'azurerm_automation_schedule');
    expect(schedules.map((s) => [s.name, s.timezone, s.start_time]).sort()).toEqual([
      ['asr-mobility-autoupdate-daily-america-new_york', 'America/New_York', '2026-11-23T00:00:00-05:00'],
      ['asr-mobility-autoupdate-daily-europe-amsterdam', 'Europe/Amsterdam', '2026-11-23T00:00:00+01:00'],
      ['asr-mobility-autoupdate-daily-europe-dublin', 'Europe/Dublin', '2026-11-23T00:00:00+00:00'],
    ]);
    const jobs = resources(doc, 'azurerm_automation_job_schedule');
    const zoneOf = (j: Record<string, unknown>) =>
      /Schedule-(america-new_york|europe-amsterdam|europe-dublin)/.exec(String(j.schedule_name))?.[1] ?? '';
    const byZone = Object.fromEntries(jobs.map((j) => [zoneOf(j), j]));
    const params = (j: Record<string, unknown> | undefined) => j!.parameters as Record<string, string>;
    expect(params(byZone['europe-dublin']).vaultresourceids).toBe(configured[0]!.vaultResourceId);
    expect(params(byZone['america-new_york']).vaultresourceids).toBe(configured[1]!.vaultResourceId);
    const fleetKeys = ['automationaccountarmid', 'autoupdateaction', 'providers', 'timeoutseconds'];
    for (const zone of ['europe-dublin', 'america-new_york'])
      expect(Object.keys(params(byZone[zone])).sort()).toEqual([...fleetKeys, 'vaultresourceids'].sort());
    // The discovery job: the scope, the tag, the exclusions and the listed vaults (they run in their own zones).
    expect(params(byZone['europe-amsterdam'])).toMatchObject({
      discoverysubscriptionids: example.discovery.subscriptionIds.join(','),
      discoverytag: 'asr-autoupdate=enabled',
      excludevaultresourceids: [
        ...example.discovery.excludeVaultResourceIds,
        ...configured.map((v) => v.vaultResourceId),
      ].join(','),
    });
    expect(params(byZone['europe-amsterdam'])).not.toHaveProperty('vaultresourceids');
    for (const j of jobs) {
      expect(params(j).providers).toBe('A2A,InMageRcm');
      // A fleet runs under the runbook's longest deadline, which MAX_VAULTS_PER_ACCOUNT is sized for.
      expect(params(j).timeoutseconds).toBe('10200');
      expect(j.job_schedule_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps the failed-job alert, routed as configured', () => {
    expect(only(doc, 'azurerm_monitor_metric_alert').name).toBe('aa-asr-fleet-updates-runbook-failed');
  });
});

describe('determinism', () => {
  it('writes byte-identical output for two synths of the same configuration', () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'asr-synth-')));
    try {
      for (const outdir of dirs)
        buildApp(new App({ outdir, context: exampleContext }), { ASR_NOW: NOW }).synth();
      const files = (dir: string): string[] =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name).slice(dir.length))
          .sort();
      expect(files(dirs[1]!)).toEqual(files(dirs[0]!));
      expect(files(dirs[0]!).length).toBeGreaterThan(2);
      for (const f of files(dirs[0]!))
        expect(readFileSync(join(dirs[1]!, f), 'utf8')).toBe(readFileSync(join(dirs[0]!, f), 'utf8'));
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('moves the start time only with the injected clock', () => {
    const later = synth(
      new A2AStack(
        testApp(),
        'a2a',
        a2aProps({ automation: { clock: () => new Date('2026-12-01T12:00:00Z') } }),
      ),
    );
    expect(only(later, 'azurerm_automation_schedule').start_time).toBe('2026-12-02T00:00:00+00:00');
    expect(only(a2aDoc(), 'azurerm_automation_schedule').start_time).toBe('2026-11-23T00:00:00+00:00');
  });
});

describe('A2A options as synthesized', () => {
  it('writes enabled = false explicitly when auto-update is off, and no automation', () => {
    const doc = a2aDoc(
      a2aProps({ vault: { ...a2aProps().vault, extensionUpdateSettings: { autoUpdateEnabled: false } } }),
    );
    expect(
      resources(doc, 'azurerm_site_recovery_protection_container_mapping').map((m) => m.automatic_update),
    ).toEqual([{ enabled: false }, { enabled: false }]);
    expect(doc.resource.azurerm_automation_account).toBeUndefined();
  });

  it('points at an existing automation account', () => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa-shared`;
    const doc = a2aDoc({
      ...a2aProps(),
      automation: undefined,
      vault: { ...a2aProps().vault, extensionUpdateSettings: { automationAccountResourceId: id } },
    });
    expect(
      resources(doc, 'azurerm_site_recovery_protection_container_mapping').map(
        (m) => (m.automatic_update as Record<string, unknown>).automation_account_id,
      ),
    ).toEqual([id, id]);
  });

  it('adds a role assignment per extra scope with that scope’s subscription, and reports the warning', () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/rg-dr-weu`;
    const stack = new A2AStack(
      testApp(),
      'a2a',
      a2aProps({ automation: { clock: fixedClock, additionalRoleScopes: [rg] } }),
    );
    const doc = synth(stack);
    const extra = resources(doc, 'azurerm_role_assignment').find((r) => r.scope === rg)!;
    expect(extra.role_definition_id).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.Contributor}`,
    );
    const annotations = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === '@cdktf/warn');
    expect(annotations.map((a) => String(a.data))).toEqual([
      expect.stringMatching(/^\[ASR-W01\] automation\.additionalRoleScopes\[0\]: .*whole resource group/),
    ]);
  });
});

describe('validation before synthesis', () => {
  it('fails with one error naming every bad prop, and creates no resource', () => {
    const app = testApp();
    expect(
      () =>
        new A2AStack(
          app,
          'a2a',
          a2aProps({
            vault: { ...a2aProps().vault, name: '9' },
            automation: { clock: fixedClock, timeZone: 'CET-ish' },
          }),
        ),
    ).toThrow(
      /A2A scenario: 2 invalid props:\n {2}- vault\.name: received "9"; .*\n {2}- automation\.timeZone: received "CET-ish"; must be an IANA time zone name/,
    );
    const created = app.node
      .findAll()
      .filter(
        (c) =>
          (c as { terraformResourceType?: string }).terraformResourceType?.startsWith('azurerm_') &&
          c.constructor.name !== 'AzurermProvider',
      );
    expect(created).toEqual([]);
  });
});

describe('PowerShell runtime as synthesized', () => {
  it('raises the azurerm constraint to the first release with runtime environments, and recreates the job schedule with a new runbook type', () => {
    const doc = a2aDoc(a2aProps({ automation: { clock: fixedClock } }));
    expect(doc.terraform).toMatchObject({
      required_providers: {
        azurerm: { source: 'azurerm', version: TERRAFORM_FLAVOUR.runtimeEnvironmentAzurermVersion },
      },
    });
    expect(AZURERM_VERSION_CONSTRAINT).toBe('>= 4.59.0, < 5.0.0');
    // cdktf raises its bindings' 4.55.0 pin; cdktn's bindings (4.73.0) already have runtime environments.
    expect(TERRAFORM_FLAVOUR.runtimeEnvironmentAzurermVersion).toBe(
      TERRAFORM_FLAVOUR.name === 'cdktf' ? AZURERM_VERSION_CONSTRAINT : '4.73.0',
    );
    const [runbookId] = Object.keys(doc.resource.azurerm_automation_runbook!);
    expect(only(doc, 'azurerm_automation_job_schedule').lifecycle).toEqual({
      replace_triggered_by: [`azurerm_automation_runbook.${runbookId}.runbook_type`],
    });
  });

  it('links an existing runtime environment by its literal name and declares none', () => {
    const doc = a2aDoc(
      a2aProps({ automation: { clock: fixedClock, runtime: { existingEnvironmentName: 'ps74-shared' } } }),
    );
    expect(resources(doc, 'azurerm_automation_runtime_environment')).toEqual([]);
    expect(only(doc, 'azurerm_automation_runbook')).toMatchObject({
      runbook_type: 'PowerShell',
      runtime_environment_name: 'ps74-shared',
    });
    expect(doc.terraform).toMatchObject({
      required_providers: { azurerm: { version: TERRAFORM_FLAVOUR.runtimeEnvironmentAzurermVersion } },
    });
  });

  it('reports no runtime warning on the stacks of the example app (7.6, the default), as `cdktf synth` writes the manifest', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'asr-w06-'));
    try {
      buildApp(new App({ outdir, context: exampleContext }), { ASR_NOW: NOW }).synth();
      const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
        stacks: Record<string, { annotations?: { level: string; message: string }[] }>;
      };
      expect(
        Object.entries(manifest.stacks).map(([name, s]) => [
          name,
          (s.annotations ?? []).map((a) => `${a.level} ${a.message}`),
        ]),
      ).toEqual(
        ['a2a', 'existing', 'vmware'].map((name) => [
          name,
          // The example existing stack discovers vaults by subscription: the custom role's scope is reported.
          name === 'existing'
            ? [
                "@cdktf/warn [ASR-W01] discovery.subscriptionIds[0]: the automation identity gets the library's custom role on a whole subscription so that the runbook finds and reconciles the vaults in it (discovery): only Site Recovery's vault read, container-mapping read and write, operation status and protected-item read, but on every Recovery Services vault in the subscription, those the tag or exclusions leave out included",
              ]
            : [],
        ]),
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('reports ASR-W06 on 7.4, and nothing when it is suppressed with a reason', () => {
    const on74 = (suppressions?: { ruleId: string; reason: string }[]) =>
      new A2AStack(
        testApp(),
        'a2a',
        a2aProps({ automation: { clock: fixedClock, runtime: { version: '7.4' } }, suppressions }),
      );
    const warningsOf = (stack: A2AStack) =>
      stack.node
        .findAll()
        .flatMap((c) => c.node.metadata)
        .filter((m) => m.type === '@cdktf/warn')
        .map((m) => String(m.data));
    expect(warningsOf(on74())).toEqual([
      "[ASR-W06] automation.runtime.version: PowerShell 7.4 reached the end of its community support on 2026-11-10: use version '7.6' (the default), which Azure Automation runs and PowerShell still supports",
    ]);
    const stack = on74([{ ruleId: 'ASR-W06', reason: 'modules not yet tested on 7.6; we move in January' }]);
    expect(warningsOf(stack)).toEqual([]);
    expect(only(synth(stack), 'azurerm_automation_runtime_environment')).toMatchObject({
      name: 'asr-mobility-autoupdate-ps74',
      runtime_version: '7.4',
    });
  });

  it('fails when the version is 7.2, naming its retirement in Automation, and adds nothing', () => {
    const app = testApp();
    expect(
      () =>
        new A2AStack(
          app,
          'a2a',
          a2aProps({ automation: { clock: fixedClock, runtime: { version: '7.2' as never } } }),
        ),
    ).toThrow(
      /^A2A scenario: 1 invalid prop:\n {2}- automation\.runtime\.version: received "7\.2"; PowerShell 7\.2 was retired in Azure Automation on 2026-09-30 \(Azure Update 567556\), so a runbook on it would not run: use '7\.6' \(the default\) or '7\.4'$/,
    );
    expect(
      app.node
        .findAll()
        .map((c) => (c as { terraformResourceType?: string }).terraformResourceType)
        .filter((t) => t?.startsWith('azurerm_')),
    ).toEqual([]);
  });

  it('fails at synth when the stack pins azurerm below 4.59.0', () => {
    const stack = new A2AStack(testApp(), 'a2a', a2aProps({ automation: { clock: fixedClock } }));
    stack.addOverride('terraform.required_providers.azurerm.version', '~> 4.55.0');
    expect(() => Testing.synth(stack, true)).toThrow(
      /required_providers\.azurerm\.version is '~> 4\.55\.0', but the runbook's PowerShell runtime environment needs azurerm 4\.59\.0 or later/,
    );
  });

  it('accepts a pin at or above 4.59.0 at synth', () => {
    const stack = new A2AStack(testApp(), 'a2a', a2aProps({ automation: { clock: fixedClock } }));
    stack.addOverride('terraform.required_providers.azurerm.version', '~> 4.60');
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it.each([
    ['>= 4.59.0, < 5.0.0', true],
    ['4.59.0', true],
    ['~> 4.60', true],
    ['~> 4.59.0', true],
    ['>= 4.0', true],
    ['> 4.58.9', true],
    ['4.55.0', false],
    ['~> 4.55.0', false],
    ['< 4.59.0', false],
    ['>= 4.0, <= 4.58.0', false],
    ['~> 3.0', false],
    ['!= 4.59.0, < 4.59.1', false],
  ])('reads the azurerm constraint %s as admitting 4.59.0 or later: %s', (constraint, ok) => {
    expect(admitsVersion(constraint, '4.59.0')).toBe(ok);
  });
});

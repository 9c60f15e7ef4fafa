import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup';
import { A2AMobilityAutoUpdate, previewOffline, type OfflinePreview } from 'asr-mobility-autoupdate/pulumi';

/** The public offline preview (constructs/pulumi/testing.ts), as a platform team's test uses it. */
const root = join(__dirname, '..', '..');
const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';

const program = () => {
  const rg = new ResourceGroup('rg', { resourceGroupName: 'rg-payments-dr', location: 'northeurope' });
  new A2AMobilityAutoUpdate('payments', {
    vault: { name: 'rsv-payments-dr', resourceGroupName: rg.name, location: 'northeurope' },
    replication: { sourceRegion: 'westeurope', targetRegion: 'northeurope' },
  });
};
const inputsOf = (p: OfflinePreview, type: string) =>
  p.resources
    .filter((r) => r.type === `azure-native:${type}`)
    .map((r) => r.inputs as Record<string, unknown>);

describe('previewOffline', () => {
  let preview: OfflinePreview;
  beforeAll(async () => {
    preview = await previewOffline(program, { project: 'dr', stack: 'prod' });
  });

  it('returns every registered resource with its parent, under the given project and stack', () => {
    expect([preview.project, preview.stack, preview.offlinePreview]).toEqual(['dr', 'prod', true]);
    expect(preview.resources.find((r) => r.type === 'azure-native:recoveryservices:Vault')).toMatchObject({
      name: expect.stringMatching(/^payments/),
      parent: expect.stringMatching(/^asr-mobility-autoupdate:/),
    });
    expect(
      preview.resources.find((r) => r.type === 'azure-native:resources:ResourceGroup')!.parent,
    ).toBeNull();
  });

  it('answers with ARM-shaped ids and the account identity, as Azure would', () => {
    expect(inputsOf(preview, 'recoveryservices:Vault').map((v) => v.resourceGroupName)).toEqual([
      'rg-payments-dr',
    ]);
    const roles = inputsOf(preview, 'authorization:RoleAssignment');
    expect(roles.map((r) => r.scope)).toContain(
      `${SUB}/resourceGroups/rg-payments-dr/providers/Microsoft.RecoveryServices/vaults/rsv-payments-dr`,
    );
    expect(roles.every((r) => r.principalId === '11111111-1111-1111-1111-111111111111')).toBe(true);
  });

  it('redacts secrets (the deployer token RunbookContent publishes with) unless asked to reveal them', async () => {
    const content = preview.resources.filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/'));
    expect(content).toHaveLength(1);
    const inputs = content[0]!.inputs as Record<string, unknown>;
    expect(inputs.accessToken).toEqual({ '[secret]': '[redacted]' });
    expect(inputs.__provider).toBe('[serialized dynamic provider]');
    const revealed = await previewOffline(program, { revealSecrets: true });
    const token = revealed.resources.find((r) => r.type.startsWith('pulumi-nodejs:dynamic/'))!.inputs
      .accessToken as Record<string, string>;
    expect(token['[secret]']).toBe('[offline preview: not a token]');
  });

  it('redacts SAS signatures even when secrets are revealed (storage hosting)', async () => {
    const storage = () => {
      new A2AMobilityAutoUpdate('payments', {
        vault: { name: 'rsv-payments-dr', resourceGroupName: 'rg-payments-dr', location: 'northeurope' },
        replication: { sourceRegion: 'westeurope', targetRegion: 'northeurope' },
        automation: { runbookHosting: 'storage' },
      });
    };
    const hidden = await previewOffline(storage);
    expect(inputsOf(hidden, 'automation:Runbook')[0]!.publishContentLink).toEqual({
      '[secret]': '[redacted]',
    });
    const revealed = await previewOffline(storage, { revealSecrets: true });
    const [link] = inputsOf(revealed, 'automation:Runbook').map(
      (r) => (r.publishContentLink as Record<string, { uri: string }>)['[secret]']!,
    );
    expect(link!.uri).toMatch(/^https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/.*\?\[redacted SAS\]$/);
    expect(JSON.stringify(revealed)).not.toMatch(/sig=/);
  });

  it('fails when the program throws, with its error', async () => {
    await expect(
      previewOffline(() => {
        new A2AMobilityAutoUpdate('payments', {
          vault: { name: 'rsv payments', resourceGroupName: 'rg-payments-dr', location: 'northeurope' },
          replication: { sourceRegion: 'westeurope', targetRegion: 'northeurope' },
        });
      }),
    ).rejects.toThrow(/vault\.name: received "rsv payments"/);
  });

  it('fails when a value known only at deploy time is refused (outside Jest, which keeps such rejections)', () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'scripts', 'ts-run.js'), join(__dirname, 'preview-refused.ts')],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stdout.trim()).toMatch(
      /^rejected: offline preview: A2A scenario: 1 invalid prop:\n {2}- vault\.resourceGroupName: received "rg payments\?"/,
    );
  });
});

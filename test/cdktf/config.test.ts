import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, type TerraformStack } from 'cdktf';
import { clockFrom, loadConfig } from '../../stacks/config';
import { buildApp } from '../../stacks/cdktf/main';
import { a2aProps, vmwareProps } from '../fixtures';
import { testApp } from './helpers';

describe('stack configuration', () => {
  const context = { a2a: { vault: { name: 'from-context' } }, vmware: { vault: { name: 'vm' } } };

  it('reads the cdktf.json context', () => {
    expect(loadConfig(context, {})).toEqual(context);
  });

  it('lets each environment variable replace its key, inline or from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asr-cfg-'));
    try {
      writeFileSync(
        join(dir, 'backend.json'),
        JSON.stringify({
          resourceGroupName: 'rg-state',
          storageAccountName: 'ststate',
          containerName: 'tfstate',
        }),
      );
      const config = loadConfig(
        context,
        {
          ASR_A2A: '{"vault":{"name":"from-env"}}',
          ASR_BACKEND: '@backend.json',
          ASR_SUBSCRIPTION_ID: 'sub',
        },
        dir,
      );
      expect(config.a2a).toEqual({ vault: { name: 'from-env' } });
      expect(config.vmware).toEqual(context.vmware);
      expect(config.backend).toEqual({
        resourceGroupName: 'rg-state',
        storageAccountName: 'ststate',
        containerName: 'tfstate',
      });
      expect(config.subscriptionId).toBe('sub');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces the whole context with ASR_CONFIG', () => {
    expect(loadConfig(context, { ASR_CONFIG: '{"vmware":{}}' })).toEqual({ vmware: {} });
  });

  it('fails when a key is misspelt, instead of silently using a default', () => {
    expect(() => loadConfig({ a2a: {}, backnd: {} }, {})).toThrow(
      "asr config: 1 problem:\n  - unknown key(s) 'backnd'",
    );
  });

  it('fails when a variable is not JSON', () => {
    expect(() => loadConfig({}, { ASR_A2A: '{vault:' })).toThrow(
      /^asr config: 1 problem:\n {2}- ASR_A2A: not valid JSON/,
    );
  });

  it('fixes the clock with ASR_NOW, and refuses a bad date', () => {
    expect(clockFrom({ ASR_NOW: '2026-01-02T03:04:05Z' })().toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(() => clockFrom({ ASR_NOW: 'tomorrow' })).toThrow(/ASR_NOW: received "tomorrow"/);
    const now = Date.now();
    expect(Math.abs(clockFrom({})().getTime() - now)).toBeLessThan(5000);
  });

  it('builds only the stacks that are configured, and writes an azurerm backend when asked', () => {
    const a2a = { ...a2aProps(), automation: {} };
    const app = buildApp(
      testApp({
        asr: {
          a2a,
          backend: { resourceGroupName: 'rg-state', storageAccountName: 'ststate', containerName: 'tfstate' },
        },
      }),
      { ASR_NOW: '2026-11-22T10:00:00Z' },
    );
    expect(app.node.children.map((c) => c.node.id)).toEqual(['a2a']);
    const tf = JSON.parse(Testing.synth(app.node.findChild('a2a') as TerraformStack)).terraform;
    expect(tf.backend.azurerm).toEqual({
      resource_group_name: 'rg-state',
      storage_account_name: 'ststate',
      container_name: 'tfstate',
      key: 'asr-mobility-autoupdate-a2a.tfstate',
      use_azuread_auth: true,
    });
  });

  it('fails when no scenario is configured', () => {
    expect(() => buildApp(testApp({ asr: {} }), {})).toThrow('give at least one of a2a, vmware and existing');
  });

  it('builds the vmware stack alone', () => {
    const app = buildApp(testApp({ asr: { vmware: { ...vmwareProps(), automation: {} } } }), {
      ASR_NOW: '2026-11-22T10:00:00Z',
    });
    expect(app.node.children.map((c) => c.node.id)).toEqual(['vmware']);
  });
});

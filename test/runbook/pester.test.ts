import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { locatePwsh, pwshEnv } from './pwsh';

/**
 * The runbook's unit tests are Pester tests (test/pester/*.Tests.ps1) run against the runbook's sources:
 * the vault-id rule and the agent classification against the shared case tables, throttle pacing, summary
 * capping, ingestion batching, input resolution. Pester 6.2.0 comes from NuGet: `dotnet restore` of
 * test/pester/pester.proj (a PackageDownload) puts it in the NuGet cache; nothing is installed by hand.
 * Never skipped: without dotnet or PowerShell this fails.
 */
const root = join(__dirname, '..', '..');
const PESTER_VERSION = '6.2.0';

function pesterManifest(env: NodeJS.ProcessEnv): string {
  const packages = env.NUGET_PACKAGES || join(homedir(), '.nuget', 'packages');
  return join(packages, 'pester', PESTER_VERSION, 'tools', 'Pester.psd1');
}

interface PesterTotals {
  pester: string;
  powershell: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  notRun: number;
  failures: string[];
}

describe('the runbook unit tests (Pester)', () => {
  it('restores Pester 6.2.0 from NuGet and passes every Pester test of test/pester, none skipped', () => {
    const env = pwshEnv(process.env);
    const manifest = pesterManifest(env);
    if (!existsSync(manifest)) {
      const restore = spawnSync('dotnet', ['restore', join('test', 'pester', 'pester.proj')], {
        cwd: root,
        encoding: 'utf8',
        timeout: 600_000,
        env,
      });
      expect(`${restore.stdout}${restore.stderr}`).toContain('Restored');
      expect(restore.status).toBe(0);
    }
    expect(existsSync(manifest)).toBe(true);
    const lookup = locatePwsh();
    if (!lookup.found) throw new Error(`no PowerShell for the Pester tests: ${lookup.missing}`);
    const r = spawnSync(
      lookup.pwsh.command,
      [
        ...lookup.pwsh.prefixArgs,
        '-NoProfile',
        '-NonInteractive',
        '-File',
        join(root, 'test', 'pester', 'run.ps1'),
        '-PesterPath',
        manifest,
      ],
      { cwd: root, encoding: 'utf8', timeout: 600_000, env: { ...env, NO_COLOR: '1' } },
    );
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let totals: PesterTotals;
    try {
      totals = JSON.parse(last) as PesterTotals;
    } catch {
      throw new Error(`Pester printed no totals (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    if (totals.failed > 0) console.log(r.stdout);
    expect(totals.failures).toEqual([]);
    expect(totals).toMatchObject({ pester: PESTER_VERSION, failed: 0, skipped: 0, notRun: 0 });
    // One test file per concern, each with its tests.
    const files = readdirSync(join(root, 'test', 'pester')).filter((f) => f.endsWith('.Tests.ps1'));
    expect(files.sort()).toEqual([
      'AgentVerdict.Tests.ps1',
      'Engine.Tests.ps1',
      'Ingestion.Tests.ps1',
      'Input.Tests.ps1',
      'Summary.Tests.ps1',
      'Throttle.Tests.ps1',
      'VaultId.Tests.ps1',
    ]);
    expect(totals.passed).toBe(totals.total);
    expect(totals.passed).toBeGreaterThanOrEqual(100);
    expect(r.status).toBe(0);
  }, 900_000);
});

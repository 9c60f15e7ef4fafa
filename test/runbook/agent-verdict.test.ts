import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNBOOK } from './harness';
import { locatePwsh, pwshEnv } from './pwsh';

/**
 * The runbook's Get-AgentVerdict against every row of the shared case table, called directly (its
 * functions and constants are read from the script's syntax tree). The agent-report scenario in
 * execution-report.test.ts serves the table through the fake Resource Manager, which answers in the
 * 2026-05-01 contract only; this test also covers the rows in an older api-version's shape
 * (shapeBefore: InMageRcm agentReinstallState as a list before 2026-02-01), which the runbook must
 * accept too.
 */
const CASES = join(__dirname, '..', 'fixtures', 'agent-status-cases.json');

const SCRIPT = `
param([string] $Runbook, [string] $CasesFile)
$ErrorActionPreference = 'Stop'
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Runbook, [ref] $null, [ref] $null)
$names = @('Test-PresentText', 'Compare-AgentVersion', 'ConvertTo-UtcInstant', 'Get-ReinstallReason', 'Get-AgentVerdict')
$functions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] -and $names -contains $n.Name }, $true))
if ($functions.Count -ne $names.Count) { throw "expected the functions $($names -join ', '); found $(($functions | ForEach-Object Name) -join ', ')" }
foreach ($f in $functions) { . ([scriptblock]::Create($f.Extent.Text)) }
foreach ($a in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] -and $n.Left.Extent.Text -in @('$AgentStatuses', '$NonBlockingUpgradeReasons') }, $false)) { . ([scriptblock]::Create($a.Extent.Text)) }
$table = Get-Content -Raw $CasesFile | ConvertFrom-Json
$out = foreach ($c in $table.cases) {
    $now = [DateTimeOffset]::Parse($c.now, [Globalization.CultureInfo]::InvariantCulture)
    $v = Get-AgentVerdict -Provider $c.facts.provider -Details $c.facts -Now $now -WindowDays $c.expiringWithinDays
    [ordered]@{ name = $c.name; status = $v.status; reasons = @($v.reasons) }
}
ConvertTo-Json -InputObject @($out) -Depth 5 -Compress
`;

interface Case {
  readonly name: string;
  readonly shapeBefore?: string;
  readonly expected: { readonly status: string; readonly reasons: readonly string[] };
}

const table = JSON.parse(readFileSync(CASES, 'utf8')) as { cases: Case[] };
const lookup = locatePwsh();

describe("the runbook's Get-AgentVerdict (shared case table, called directly)", () => {
  if (!lookup.found) {
    it('fails when PowerShell cannot be found', () => {
      throw new Error(`PowerShell not found: ${lookup.missing}`);
    });
    return;
  }
  const { pwsh } = lookup;

  it('judges every case of the table as the domain does, the older api-version shapes included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-verdict-'));
    const script = join(dir, 'verdicts.ps1');
    writeFileSync(script, SCRIPT);
    let r: SpawnSyncReturns<string>;
    try {
      r = spawnSync(
        pwsh.command,
        [
          ...pwsh.prefixArgs,
          '-NoProfile',
          '-NonInteractive',
          '-File',
          script,
          '-Runbook',
          RUNBOOK,
          '-CasesFile',
          CASES,
        ],
        { encoding: 'utf8', timeout: 120_000, env: pwshEnv(process.env) },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout.trim()) as { name: string; status: string; reasons: string[] }[];
    expect(got.map((g) => [g.name, { status: g.status, reasons: g.reasons }])).toEqual(
      table.cases.map((c) => [c.name, c.expected]),
    );
    expect(table.cases.some((c) => c.shapeBefore !== undefined)).toBe(true);
  });
});

import type { Node, Tree } from 'web-tree-sitter';
import {
  AUTOMATION_ACCOUNT_NAME,
  RESOURCE_GROUP_NAME,
  resolveA2AScenario,
  resolveVmwareScenario,
  runbookAsset,
  VAULT_NAME,
} from '../../constructs/domain/internal';
import { a2aProps, vmwareProps } from '../fixtures';
import { powershellParser, syntaxErrors } from './grammar';

/**
 * Static checks of the runbook, with the tree-sitter-powershell grammar: they run on every machine,
 * with or without PowerShell. The execution-*.test.ts files run the script with real pwsh and check it with
 * PowerShell's own parser; see docs/runbook.md, "Runbook testing".
 */
const source = runbookAsset().content;
let tree: Tree;

beforeAll(async () => {
  tree = (await powershellParser()).parse(source)!;
});

const texts = (type: string, root: Node = tree.rootNode): string[] =>
  root.descendantsOfType(type).flatMap((n) => (n ? [n.text] : []));

/** The `function` statements of the script, by name. */
function functions(): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const f of tree.rootNode.descendantsOfType('function_statement')) {
    const name = f?.children.find((c) => c?.type === 'function_name')?.text;
    if (f && name) map.set(name, f);
  }
  return map;
}

describe('runbook syntax', () => {
  it('parses without a single syntax error', () => {
    expect(syntaxErrors(tree, source)).toEqual([]);
  });

  it('is a grammar that does catch errors (an unclosed block is reported)', async () => {
    const broken = (await powershellParser()).parse(
      source.replace('function Get-ArmError {', 'function Get-ArmError {\n    if ($x {'),
    )!;
    expect(syntaxErrors(broken, source).length).toBeGreaterThan(0);
  });
});

describe('runbook contract', () => {
  const topLevelParams = (): string[] => {
    const block = tree.rootNode.children.find((c) => c?.type === 'param_block')!;
    return block
      .descendantsOfType('script_parameter')
      .map((p) => p!.children.find((c) => c?.type === 'variable')!.text.slice(1));
  };

  it('declares exactly the parameters of the specification', () => {
    expect(topLevelParams()).toEqual([
      'VaultResourceId',
      'VaultResourceIds',
      'DiscoverySubscriptionIds',
      'DiscoveryManagementGroupId',
      'DiscoveryTag',
      'ExcludeVaultResourceIds',
      'MaxParallelVaults',
      'MaxRequestsInFlight',
      'RequestTimeoutSeconds',
      'AutoUpdateAction',
      'AutomationAccountArmId',
      'Providers',
      'AzureEnvironment',
      'ArmEndpoint',
      'ApiVersion',
      'TimeoutSeconds',
      'MaxConcurrency',
      'MaxRetries',
      'DryRun',
      'SkipAgentReport',
      'AgentExpiringWithinDays',
      'MaxAgentsListed',
      'IngestionEndpoint',
      'IngestionRuleId',
      'ReportTimeUtc',
    ]);
  });

  it('receives every job schedule parameter the domain sends (lower-cased by Automation)', () => {
    const names = topLevelParams().map((p) => p.toLowerCase());
    for (const spec of [resolveA2AScenario(a2aProps()), resolveVmwareScenario(vmwareProps())]) {
      expect(Object.keys(spec.automation!.jobParameters).filter((k) => !names.includes(k))).toEqual([]);
    }
  });

  it('validates ids with the naming rules of the domain (resource group, vault, automation account)', () => {
    const inner = (r: RegExp) => r.source.replace(/^\^/, '').replace(/\$$/, '');
    expect(/\$ResourceGroupPattern = '([^']+)'/.exec(source)?.[1]).toBe(inner(RESOURCE_GROUP_NAME));
    expect(source).toContain(`/vaults)/${inner(VAULT_NAME)}/?\\z"`);
    expect(source).toContain(`/automationAccounts/${inner(AUTOMATION_ACCOUNT_NAME)}/?\\z"`);
  });

  it('declares the version the asset reports', () => {
    expect(source).toContain(`$RunbookVersion = '${runbookAsset().version}'`);
  });

  it('writes to the Output stream in one place only: the summary', () => {
    const writers = tree.rootNode
      .descendantsOfType('command_name')
      .filter((n) => /^Write-(Output|Host|Information)$/i.test(n!.text));
    expect(writers.map((n) => n!.text)).toEqual(['Write-Output']);
    const owner = functions().get('Complete-Run')!;
    expect(writers[0]!.startIndex).toBeGreaterThan(owner.startIndex);
    expect(writers[0]!.endIndex).toBeLessThan(owner.endIndex);
  });

  it('uses no module, no AzureRM, no Az and no ADAL', () => {
    const commands = new Set(texts('command_name'));
    const banned = [...commands].filter((c) =>
      /^(Import-Module|Add-Type|Install-Module|Invoke-Expression|Connect-Az.*|.*-Az[A-Z].*|.*-AzureRm.*|Get-AutomationConnection)$/i.test(
        c,
      ),
    );
    expect(banned).toEqual([]);
    expect(source).not.toMatch(/AzureRM|IdentityModel\.Clients\.ActiveDirectory|Az\.Accounts/i);
  });

  /** Assignments to, and parameters named after, automatic variables (`$null = ...` is the usual discard and allowed). */
  function automaticVariableWrites(t: Tree): string[] {
    const automatic = new Set([
      '$input',
      '$error',
      '$args',
      '$_',
      '$psitem',
      '$this',
      '$host',
      '$matches',
      '$pscmdlet',
      '$myinvocation',
    ]);
    const assigned = texts('left_assignment_expression', t.rootNode).map((v) => v.toLowerCase());
    const params = t.rootNode
      .descendantsOfType('script_parameter')
      .map((p) => p!.children.find((c) => c?.type === 'variable')!.text.toLowerCase());
    return [...assigned, ...params].filter((v) => automatic.has(v));
  }

  it('never assigns to a PowerShell automatic variable', async () => {
    expect(automaticVariableWrites(tree)).toEqual([]);
    // The check finds the mistake it exists for.
    const mutated = (await powershellParser()).parse(
      source.replace('$providerInput = [ordered]@{', '$input = [ordered]@{'),
    )!;
    expect(automaticVariableWrites(mutated)).toEqual(['$input']);
  });

  it('loads every script function into the one pool (none hand-listed) and every script variable its steps read', () => {
    // The functions: all those the script defines, taken from function: after $FunctionsBefore, which
    // is read before the first definition.
    expect(source.indexOf('$FunctionsBefore = ')).toBeGreaterThan(-1);
    expect(source.indexOf('$FunctionsBefore = ')).toBeLessThan(source.indexOf('\nfunction '));
    const fns = functions();
    expect(fns.get('New-EnginePool')!.text).toContain('$FunctionsBefore -notcontains $_.Name');
    // The variables: whatever the steps (and what they call) read of the script's own top-level
    // variables is in $EngineVariables, copied into the pool's session state.
    const shared = /\$EngineVariables = @\(([^)]*)\)/
      .exec(source)![1]!
      .match(/'([^']+)'/g)!
      .map((v) => v.slice(1, -1));
    const topLevel = new Set([...source.matchAll(/^\$(\w+) = /gm)].map((m) => m[1]!));
    const reached = new Set<string>();
    const queue = ['Invoke-VaultOpenStep', 'Invoke-MappingStep', 'Invoke-VaultReportStep'];
    while (queue.length) {
      const name = queue.pop()!;
      if (reached.has(name)) continue;
      reached.add(name);
      for (const called of texts('command_name', fns.get(name)!)) if (fns.has(called)) queue.push(called);
    }
    expect(reached.size).toBeGreaterThan(20);
    const read = new Set<string>();
    for (const name of reached) {
      const text = fns.get(name)!.text;
      // Its own: the parameters and what it assigns.
      const own = new Set(
        [
          ...(/param\(([^)]*)\)/.exec(text)?.[1] ?? '').matchAll(/\$(\w+)/g),
          ...text.matchAll(/\$(\w+)\s*=[^=]/g),
        ].map((m) => m[1]!),
      );
      for (const v of texts('variable', fns.get(name)!)) {
        const bare = v.slice(1);
        if (topLevel.has(bare) && !own.has(bare)) read.add(bare);
      }
    }
    expect([...read].filter((v) => !shared.includes(v)).sort()).toEqual([]);
    expect(shared.filter((v) => !read.has(v))).toEqual([]);
  });

  it('never logs the token or the identity header', () => {
    const logLines = source.split('\n').filter((l) => /Write-(Verbose|Warning|Error)/.test(l));
    expect(logLines.filter((l) => /\$token|IdentityHeader|Authorization|access_token/i.test(l))).toEqual([]);
  });

  it('only sends the bearer token through Invoke-ArmRequest, which checks the host first', () => {
    const bearerLines = source.split('\n').filter((l) => l.includes('Bearer '));
    expect(bearerLines).toHaveLength(1);
    const fn = functions().get('Invoke-ArmRequest')!.text;
    expect(fn.indexOf('Test-SameOrigin')).toBeGreaterThan(-1);
    expect(fn.indexOf('Test-SameOrigin')).toBeLessThan(fn.indexOf('Bearer '));
  });

  it('always sends SystemAssignedIdentity in the A2A body and never RunAsAccount', () => {
    const classify = functions().get('Get-MappingClassification')!.text;
    expect(classify).toMatch(
      /instanceType = 'A2A';[^\n]*automationAccountAuthenticationType = 'SystemAssignedIdentity'/,
    );
    expect(source).not.toMatch(/'RunAsAccount'|"RunAsAccount"/);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AT_RISK_ALERT_QUERY,
  ESTATE_ALERT_DEFAULTS,
  ESTATE_TABLES,
  ESTATE_WORKBOOK_QUERIES,
  estateWorkbookSerializedData,
  silenceAlertQuery,
  SUBSCRIPTIONS_PARAMETER_QUERY,
  WORKBOOK_FORMAT,
  WORKBOOK_PARAMETERS,
  type EstateColumnType,
  type EstateTable,
} from '../../constructs/domain';

// Microsoft's Kusto language service (Bridge.NET build of Kusto.Language), run offline: it defines
// the global `Kusto` when loaded, bridge first.
/* eslint-disable @typescript-eslint/no-require-imports */
require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
/* eslint-enable @typescript-eslint/no-require-imports */

interface KustoDiagnostic {
  readonly Severity: string;
  readonly Message: string;
}
interface KustoList<T> {
  readonly Count: number;
  getItem(i: number): T;
}
interface KustoLanguage {
  readonly GlobalState: {
    readonly Default: { WithCluster(c: unknown): { WithDatabase(d: unknown): unknown } };
  };
  readonly KustoCode: {
    ParseAndAnalyze(query: string, globals: unknown): { GetDiagnostics(): KustoList<KustoDiagnostic> };
  };
  readonly Symbols: {
    readonly TableSymbol: {
      readonly $ctor7: new (name: string, schema: string, description: string | null) => unknown;
    };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
    readonly ClusterSymbol: { readonly ctor: new (name: string, databases: unknown[]) => unknown };
  };
}
const Kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;

/** A GlobalState whose default database holds the estate's tables, built from the domain's schema. */
function globalsFor(tables: readonly EstateTable[]): unknown {
  const S = Kusto.Symbols;
  const symbols = tables.map(
    (t) =>
      new S.TableSymbol.$ctor7(t.name, `(${t.columns.map((c) => `${c.name}:${c.type}`).join(', ')})`, null),
  );
  const db = new S.DatabaseSymbol.ctor('workspace', symbols);
  return Kusto.GlobalState.Default.WithCluster(new S.ClusterSymbol.ctor('loganalytics', [db])).WithDatabase(
    db,
  );
}
const GLOBALS = globalsFor(ESTATE_TABLES);

/** The errors the language service reports for a query against the estate's tables. */
function errorsOf(query: string): string[] {
  const diagnostics = Kusto.KustoCode.ParseAndAnalyze(query, GLOBALS).GetDiagnostics();
  const out: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error') out.push(d.Message);
  }
  return out;
}

/**
 * A workbook query as the workbook runs it: `{Subscriptions}` replaced by the chosen ids (quoted,
 * comma-separated) or `'*'` for all, `{SelectedVault}` by a vault id. Anything else in braces stays,
 * and fails to parse.
 */
function expanded(query: string, subscriptions = "'*'"): string {
  return query
    .replaceAll(`{${WORKBOOK_PARAMETERS.subscriptions}}`, subscriptions)
    .replaceAll(
      `{${WORKBOOK_PARAMETERS.selectedVault}}`,
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-dr/providers/microsoft.recoveryservices/vaults/rsv-dr',
    );
}

const WORKSPACE =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law';
const workbook = JSON.parse(estateWorkbookSerializedData(WORKSPACE)) as {
  version: string;
  items: {
    type: number;
    name: string;
    content: Record<string, unknown>;
    conditionalVisibility?: Record<string, unknown>;
  }[];
  fallbackResourceIds: string[];
};
const queryItems = workbook.items.filter((i) => i.type === WORKBOOK_FORMAT.queryItemType);

const SILENCE_QUERY = silenceAlertQuery(ESTATE_ALERT_DEFAULTS.silenceAlertAfterHours);

describe('the KQL of the workbook and the alerts, checked by the Kusto language service', () => {
  it.each([
    ...ESTATE_WORKBOOK_QUERIES.map((q) => [`workbook: ${q.title}`, expanded(q.query)]),
    ...ESTATE_WORKBOOK_QUERIES.filter((q) => q.query.includes('{Subscriptions}')).map((q) => [
      `workbook, two subscriptions chosen: ${q.title}`,
      expanded(q.query, "'00000000-0000-0000-0000-000000000001','00000000-0000-0000-0000-000000000002'"),
    ]),
    ['workbook: the subscriptions parameter', SUBSCRIPTIONS_PARAMETER_QUERY],
    ['at-risk alert', AT_RISK_ALERT_QUERY],
    ['silence alert', SILENCE_QUERY],
  ])('%s parses and binds against the declared tables', (_, query) => {
    expect(errorsOf(query)).toEqual([]);
  });

  it('checks every query the workbook JSON holds (not only the table it is built from)', () => {
    expect(queryItems.map((i) => i.content.query)).toEqual(ESTATE_WORKBOOK_QUERIES.map((q) => q.query));
    for (const item of queryItems) expect(errorsOf(expanded(String(item.content.query)))).toEqual([]);
    const [parameters] = workbook.items.filter((i) => i.type === WORKBOOK_FORMAT.parametersItemType);
    const dropDowns = (parameters!.content.parameters as { query?: string }[]).filter((p) => p.query);
    expect(dropDowns).toHaveLength(1);
    for (const p of dropDowns) expect(errorsOf(p.query!)).toEqual([]);
  });

  it('fails when a workbook parameter is left unexpanded (the check is not blind to braces)', () => {
    const query = ESTATE_WORKBOOK_QUERIES.find((q) => q.name === 'vaults')!.query;
    expect(errorsOf(query).length).toBeGreaterThan(0);
  });

  it.each([
    ['the at-risk alert', AT_RISK_ALERT_QUERY, 'where Status in', 'where Stauts in', 'Stauts'],
    ['the silence alert', SILENCE_QUERY, 'max(TimeGenerated)', 'max(TimeGenerate)', 'TimeGenerate'],
    [
      'the vaults view',
      expanded(ESTATE_WORKBOOK_QUERIES.find((q) => q.name === 'vaults')!.query),
      'LastRun = TimeGenerated, Outcome,',
      'LastRun = TimeGenerated, Outcom,',
      'Outcom',
    ],
    [
      'the not-reconciled view',
      expanded(ESTATE_WORKBOOK_QUERIES.find((q) => q.name === 'vaults-not-reconciled')!.query),
      'LastOutcome = Outcome,',
      'LastOutcome = Outcom,',
      'Outcom',
    ],
  ])('fails when %s misspells a column', (_, query, from, to, name) => {
    const broken = query.replace(from, to);
    expect(broken).not.toBe(query);
    expect(errorsOf(query)).toEqual([]);
    expect(errorsOf(broken)).toEqual([expect.stringContaining(`'${name}'`)]);
  });

  it('fails when a query has a syntax error', () => {
    const broken = expanded(ESTATE_WORKBOOK_QUERIES[0]!.query).replace('| summarize', '| summarize by by');
    expect(errorsOf(broken).length).toBeGreaterThan(0);
  });

  it('fails when a query names a column the schema does not declare (the schema is what is checked)', () => {
    const withoutReasons = ESTATE_TABLES.map((t) => ({
      ...t,
      columns: t.columns.filter((c) => c.name !== 'Reasons'),
    }));
    const diagnostics = Kusto.KustoCode.ParseAndAnalyze(
      AT_RISK_ALERT_QUERY,
      globalsFor(withoutReasons),
    ).GetDiagnostics();
    expect(diagnostics.Count).toBeGreaterThan(0);
  });

  it('reads the latest run of each vault from the run table, never from the agent rows', () => {
    expect(AT_RISK_ALERT_QUERY).toMatch(/^let latestRun = AsrMobilityRun_CL\n/);
    for (const q of ESTATE_WORKBOOK_QUERIES.filter((x) => x.query.includes('arg_max(TimeGenerated, RunId)')))
      expect(q.query).toMatch(/AsrMobilityRun_CL[^;]*arg_max\(TimeGenerated, RunId\) by VaultId/);
    expect(AT_RISK_ALERT_QUERY).not.toMatch(/AsrMobilityAgent_CL\s*\|\s*summarize/);
  });
});

describe('the workbook JSON has the workbook format structure', () => {
  it('has version Notebook/1.0, items, and query items with a workspace data source', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(Array.isArray(workbook.items)).toBe(true);
    expect(queryItems.map((i) => i.name)).toEqual([
      'vaults',
      'machines-of-vault',
      'vaults-not-reconciled',
      'machines-at-risk',
      'version-distribution',
      'status-trend',
    ]);
    for (const item of queryItems) {
      expect(item.content).toMatchObject({
        version: 'KqlItem/1.0',
        queryType: 0,
        resourceType: 'microsoft.operationalinsights/workspaces',
        crossComponentResources: [WORKSPACE],
      });
      expect(typeof item.content.title).toBe('string');
    }
    expect(new Set(workbook.items.map((i) => i.name)).size).toBe(workbook.items.length);
    expect(workbook.fallbackResourceIds).toEqual([WORKSPACE]);
  });
});

// ------------------------------------------------------------------------------------------ rows

const KQL_CHECK: Record<EstateColumnType, (v: unknown) => boolean> = {
  datetime: (v) =>
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) &&
    !Number.isNaN(Date.parse(v)),
  string: (v) => typeof v === 'string',
  int: (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1,
  real: (v) => typeof v === 'number' && Number.isFinite(v),
};

/** The problems of one row against its table: every column present with its type, nothing else. */
export function rowProblems(table: EstateTable, row: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const names = table.columns.map((c) => c.name);
  for (const k of Object.keys(row))
    if (!names.includes(k)) problems.push(`${k}: not a column of ${table.name}`);
  for (const c of table.columns) {
    if (!(c.name in row)) problems.push(`${c.name}: missing`);
    else if (!KQL_CHECK[c.type](row[c.name]))
      problems.push(`${c.name}: not a ${c.type} (${JSON.stringify(row[c.name])})`);
  }
  return problems;
}

const fixtures = join(__dirname, '..', 'fixtures');
const rows = JSON.parse(readFileSync(join(fixtures, 'ingestion-rows.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>[]
>;

describe('the workbook: parameters, keyed by vault id, a drill-down to machines', () => {
  const byName = (name: string) => workbook.items.find((i) => i.name === name)!;
  const parameters = byName('parameters').content.parameters as Record<string, unknown>[];

  it('has a time range and a subscriptions parameter, and every query item takes its time range from it', () => {
    expect(byName('parameters').type).toBe(WORKBOOK_FORMAT.parametersItemType);
    expect(parameters.map((p) => [p.name, p.type])).toEqual([
      ['TimeRange', 4],
      ['Subscriptions', 2],
    ]);
    expect(parameters[0]).toMatchObject({ value: { durationMs: 7 * 86400000 }, isRequired: true });
    expect(parameters[1]).toMatchObject({
      multiSelect: true,
      quote: "'",
      delimiter: ',',
      defaultValue: 'value::all',
      typeSettings: { additionalResourceOptions: ['value::all'], selectAllValue: '*' },
      crossComponentResources: [WORKSPACE],
    });
    for (const item of queryItems) {
      expect(item.content.timeContextFromParameter).toBe('TimeRange');
      if (item.name !== 'machines-of-vault') expect(item.content.query).toContain('({Subscriptions})');
    }
  });

  it('keys every vault view by VaultId and shows the name with its resource group and subscription', () => {
    for (const q of ['vaults', 'vaults-not-reconciled', 'machines-at-risk']) {
      const query = String(byName(q).content.query);
      expect(query).toMatch(/VaultName, ResourceGroup, Subscription,/);
      expect(query).toMatch(/VaultId\n/);
    }
    for (const item of queryItems) {
      const query = String(item.content.query);
      expect(query).not.toMatch(/by Vault(Name)?\b(?!Id)/);
      expect(query).not.toMatch(/summarize[^\n]*by[^\n]*split\(VaultId/);
    }
  });

  it('drills down from a vault (the grids export VaultId) to its machines, shown once a vault is chosen', () => {
    for (const name of ['vaults', 'vaults-not-reconciled'])
      expect(byName(name).content).toMatchObject({
        exportFieldName: 'VaultId',
        exportParameterName: 'SelectedVault',
        exportDefaultValue: '',
      });
    const drill = byName('machines-of-vault');
    expect(drill.conditionalVisibility).toEqual({
      parameterName: 'SelectedVault',
      comparison: 'isNotEqualTo',
      value: '',
    });
    expect(String(drill.content.query)).toContain("where VaultId == '{SelectedVault}'");
  });

  it('lists the vaults whose latest run row is older than 36 h', () => {
    expect(String(byName('vaults-not-reconciled').content.query)).toContain(
      '| where TimeGenerated < ago(36h)',
    );
  });
});

describe('docs/seeing-the-estate.md', () => {
  it('shows every query of the workbook and the alerts as the domain builds it', () => {
    const page = readFileSync(join(__dirname, '..', '..', 'docs', 'seeing-the-estate.md'), 'utf8');
    for (const query of [
      ...ESTATE_WORKBOOK_QUERIES.map((q) => q.query),
      SUBSCRIPTIONS_PARAMETER_QUERY,
      AT_RISK_ALERT_QUERY,
      SILENCE_QUERY,
    ])
      expect(page).toContain(`\`\`\`kql\n${query}\n\`\`\``);
  });
});

describe('rows against the schemas', () => {
  it.each(ESTATE_TABLES.map((t) => [t.name, t] as const))(
    'the sample %s row has every column with its type',
    (_, table) => {
      expect(rows[table.name]).toHaveLength(1);
      expect(rowProblems(table, rows[table.name]![0]!)).toEqual([]);
    },
  );

  it('fails when a row misses a column, has an extra one or a wrong type', () => {
    const [agent] = ESTATE_TABLES;
    const { Reasons: _r, ...missing } = rows.AsrMobilityAgent_CL![0]!;
    void _r;
    expect(rowProblems(agent, missing)).toEqual(['Reasons: missing']);
    expect(rowProblems(agent, { ...rows.AsrMobilityAgent_CL![0]!, Extra: 1 })).toEqual([
      'Extra: not a column of AsrMobilityAgent_CL',
    ]);
    expect(rowProblems(ESTATE_TABLES[1], { ...rows.AsrMobilityRun_CL![0]!, MappingsListed: 1.5 })).toEqual([
      'MappingsListed: not a int (1.5)',
    ]);
  });
});

/** The schema as data for the PowerShell side (the runbook's tests read test/fixtures/estate-tables.json). */
function tablesDocument(): unknown {
  return {
    description:
      "Generated from ESTATE_TABLES (constructs/domain/visibility.ts) by test/domain/estate-kql.test.ts (ASR_UPDATE_FIXTURES=1 rewrites it): the two custom tables the runbook's rows must match, column types in Kusto's words.",
    tables: ESTATE_TABLES.map((t) => ({
      name: t.name,
      stream: t.stream,
      description: t.description,
      columns: t.columns.map((c) => ({ name: c.name, type: c.type, description: c.description })),
    })),
  };
}

describe('test/fixtures/estate-tables.json', () => {
  it('is the domain schema, as data', () => {
    const file = join(fixtures, 'estate-tables.json');
    const text = `${JSON.stringify(tablesDocument(), null, 2)}\n`;
    if (process.env.ASR_UPDATE_FIXTURES === '1') writeFileSync(file, text);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it("says TimeGenerated is the job's start time, on every row of the job (as the runbook stamps it)", () => {
    for (const t of ESTATE_TABLES) {
      const time = t.columns.find((c) => c.name === 'TimeGenerated')!;
      expect(time.description).toMatch(/^The job's start time \(UTC\), the same on every row the job sends/);
    }
    const file = JSON.parse(readFileSync(join(fixtures, 'estate-tables.json'), 'utf8')) as {
      tables: { columns: { name: string; description: string }[] }[];
    };
    for (const [i, t] of file.tables.entries())
      expect(t.columns.find((c) => c.name === 'TimeGenerated')!.description).toBe(
        ESTATE_TABLES[i]!.columns.find((c) => c.name === 'TimeGenerated')!.description,
      );
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESTATE_TABLES as DOMAIN_TABLES } from '../../constructs/domain';
import {
  ContractEnforcer,
  contractReport,
  coverageProblems,
  operations,
  validate,
  type Operation,
} from './contract';
import { ESTATE_TABLES as SUITE_TABLES, readEstateTables } from './estate-schema';
import {
  ACCOUNT_ID,
  mapping,
  protectedItem,
  VAULT_ID,
  type AgentFactsJson,
  type Json,
  type JsonObject,
  type Recorded,
} from './fake-arm';

/**
 * The contract checks themselves, without pwsh: the specification's own examples pass, the runbook's
 * request shapes pass, and each kind of violation is refused with the violation named.
 */

const byId = (id: string): Operation => operations().find((o) => o.op.operationId === id)!;
const MAPPING_ID = mapping('m0').id;

let seq = 0;
function request(
  method: string,
  url: string,
  body?: Json,
  headers: Record<string, string> = {},
  server: Recorded['server'] = 'arm',
): Recorded {
  const u = new URL(url, 'http://127.0.0.1');
  return {
    server,
    seq: ++seq,
    method,
    url,
    path: u.pathname,
    query: u.searchParams,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...headers,
    },
    body: body === undefined ? '' : JSON.stringify(body),
    at: 0,
  };
}

/** Runs one request through a fresh enforcer: the refusal (or undefined) and what was reported. */
function check(rec: Recorded) {
  const reported: string[] = [];
  const enforcer = new ContractEnforcer((v) => reported.push(v));
  enforcer.scenario = 'contract.test';
  const refused = enforcer.checkRequest(rec.server, rec);
  return { refused, reported, enforcer };
}

/** An upload to the data collection endpoint (the ingestion host), as the runbook sends it. */
const UPLOAD = '/dataCollectionRules/dcr-00000000000000000000000000000000/streams';
const upload = (
  stream: string,
  rows: Json,
  { api = '2023-01-01', headers = { authorization: 'Bearer t' } as Record<string, string> } = {},
) => request('POST', `${UPLOAD}/${stream}?api-version=${api}`, rows, headers, 'ingestion');

const patch = (input: Json, api = '2026-05-01') =>
  request('PATCH', `${MAPPING_ID}?api-version=${api}`, { properties: { providerSpecificInput: input } });
const a2aInput = {
  instanceType: 'A2A',
  agentAutoUpdateStatus: 'Enabled',
  automationAccountAuthenticationType: 'SystemAssignedIdentity',
  automationAccountArmId: ACCOUNT_ID,
};

describe('the contracts', () => {
  it('each records its source specification, commit and api-version, and every operation names a path and method', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(9);
    for (const o of ops) {
      expect(o.contract.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(JSON.stringify(o.contract.source)).toMatch(/azure-rest-api-specs|learn\.microsoft\.com/);
      expect(['GET', 'PATCH', 'POST']).toContain(o.op.method);
    }
    expect(byId('ReplicationProtectionContainerMappings_Update').contract.apiVersion).toBe('2026-05-01');
    expect(byId('Resources').contract.apiVersion).toBe('2024-04-01');
    expect(byId('Upload').contract.apiVersion).toBe('2023-01-01');
  });

  it("takes the ingestion streams' columns from test/fixtures/estate-tables.json, which are the constructs' tables (one source)", () => {
    const upload = byId('Upload');
    expect(upload.contract.host).toBe('ingestion');
    expect(upload.contract.streams).toEqual(
      Object.fromEntries(
        DOMAIN_TABLES.map((t) => [t.stream, Object.fromEntries(t.columns.map((c) => [c.name, c.type]))]),
      ),
    );
    // The fake's own row rules (estate-schema.ts) read the same file.
    expect(
      SUITE_TABLES.map((t) => ({
        table: t.table,
        stream: t.stream,
        columns: t.columns.map((c) => [c.name, c.type]),
      })),
    ).toEqual(
      DOMAIN_TABLES.map((t) => ({
        table: t.name,
        stream: t.stream,
        columns: t.columns.map((c) => [c.name, c.type]),
      })),
    );
  });

  it('fails when the estate tables file is not tables with typed columns (the error names the column)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'estate-tables-'));
    try {
      const file = join(dir, 'estate-tables.json');
      writeFileSync(
        file,
        JSON.stringify({
          tables: [{ name: 'T_CL', stream: 'Custom-T_CL', columns: [{ name: 'X', type: 'dynamic' }] }],
        }),
      );
      expect(() => readEstateTables(file)).toThrow(/T_CL has a column \{"name":"X","type":"dynamic"\}/);
      writeFileSync(file, JSON.stringify({ tables: [] }));
      expect(() => readEstateTables(file)).toThrow(/no tables/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts the specification's own examples: every example request and response matches its contract", () => {
    const checked: string[] = [];
    for (const o of operations().filter((x) => x.example)) {
      const responses = o.example!.responses as JsonObject;
      for (const [status, r] of Object.entries(responses)) {
        const schema = o.op.responses[status];
        expect(status in o.op.responses).toBe(true);
        if (schema) expect(validate(o.contract, (r as JsonObject).body, schema, 'response')).toEqual([]);
      }
      if (o.op.body) {
        const params = o.example!.parameters as JsonObject;
        expect(validate(o.contract, params[o.op.body.name], o.op.body.schema, 'request')).toEqual([]);
      }
      checked.push(o.op.operationId);
    }
    expect(checked.sort()).toEqual(
      [
        'ReplicationProtectedItems_List',
        'ReplicationProtectionContainerMappings_Get',
        'ReplicationProtectionContainerMappings_List',
        'ReplicationProtectionContainerMappings_Update',
        'Resources',
        'Upload',
      ].sort(),
    );
  });

  it('accepts the request shapes the runbook sends (A2A enable and disable, InMageRcm, lists, operation status)', () => {
    expect(check(patch(a2aInput)).reported).toEqual([]);
    expect(
      check(
        patch({
          instanceType: 'A2A',
          agentAutoUpdateStatus: 'Disabled',
          automationAccountAuthenticationType: 'SystemAssignedIdentity',
        }),
      ).reported,
    ).toEqual([]);
    expect(check(patch({ instanceType: 'InMageRcm', enableAgentAutoUpgrade: 'Enabled' })).reported).toEqual(
      [],
    );
    expect(
      check(request('GET', `${VAULT_ID}/replicationProtectionContainerMappings?api-version=2026-05-01`))
        .reported,
    ).toEqual([]);
    expect(
      check(request('GET', `${VAULT_ID}/replicationProtectedItems?api-version=2026-05-01`)).reported,
    ).toEqual([]);
    expect(check(request('GET', `${MAPPING_ID}?api-version=2026-05-01`)).reported).toEqual([]);
    expect(
      check(request('GET', `${VAULT_ID}/replicationOperationStatus/abc?api-version=2026-05-01`)).reported,
    ).toEqual([]);
    // ARM paths compare case-insensitively, as the specification's own example ids show (/Subscriptions/).
    expect(
      check(
        request('GET', `${MAPPING_ID.replace('/subscriptions/', '/Subscriptions/')}?api-version=2026-05-01`),
      ).reported,
    ).toEqual([]);
  });

  const refusals: [string, Recorded, RegExp][] = [
    [
      'a property in other case (AgentAutoUpdateStatus)',
      patch({
        ...a2aInput,
        agentAutoUpdateStatus: undefined,
        AgentAutoUpdateStatus: 'Enabled',
      } as unknown as Json),
      /unknown property 'AgentAutoUpdateStatus' \(the schema spells it 'agentAutoUpdateStatus'; property names are case-sensitive\)/,
    ],
    [
      'a property the schema does not have',
      patch({ ...a2aInput, autoUpdate: true }),
      /unknown property 'autoUpdate'/,
    ],
    [
      'an enum value the service does not know',
      patch({ ...a2aInput, automationAccountAuthenticationType: 'ManagedIdentity' }),
      /automationAccountAuthenticationType: 'ManagedIdentity' is not one of RunAsAccount, SystemAssignedIdentity/,
    ],
    [
      'an enum value in other case',
      patch({ ...a2aInput, agentAutoUpdateStatus: 'enabled' }),
      /'enabled' is not one of Disabled, Enabled \(enum values are case-sensitive: 'Enabled'\)/,
    ],
    [
      'instanceType missing from providerSpecificInput',
      patch({ agentAutoUpdateStatus: 'Enabled' }),
      /required property 'instanceType' is missing/,
    ],
    [
      'an instanceType the contract does not record',
      patch({ instanceType: 'A2a', agentAutoUpdateStatus: 'Enabled' }),
      /instanceType: 'A2a' is not one of A2A, InMageRcm/,
    ],
    [
      'InMageRcm without its required enableAgentAutoUpgrade',
      patch({ instanceType: 'InMageRcm' }),
      /required property 'enableAgentAutoUpgrade' is missing/,
    ],
    [
      'a wrong type (a boolean where the specification says string)',
      patch({ instanceType: 'InMageRcm', enableAgentAutoUpgrade: true }),
      /enableAgentAutoUpgrade: expected string, got boolean/,
    ],
    [
      'an unknown api-version',
      patch(a2aInput, '2099-01-01'),
      /api-version '2099-01-01' is not in the contract/,
    ],
    [
      'a missing api-version',
      request('GET', `${VAULT_ID}/replicationProtectionContainerMappings`),
      /api-version query parameter is missing/,
    ],
    [
      'a query parameter the operation does not take',
      request('GET', `${VAULT_ID}/replicationProtectionContainerMappings?api-version=2026-05-01&$top=5`),
      /query parameter '\$top' is not in the contract/,
    ],
    [
      'an operation that has no contract',
      request('GET', `${VAULT_ID}/replicationFabrics?api-version=2026-05-01`),
      /no contract describes this path/,
    ],
    [
      'a method the path does not take',
      request('DELETE', `${MAPPING_ID}?api-version=2026-05-01`),
      /method DELETE is not in the contract for this path/,
    ],
    [
      'a PATCH that is not JSON',
      { ...patch(a2aInput), headers: { 'content-type': 'text/plain' } },
      /content type 'text\/plain' is not application\/json/,
    ],
    [
      'a Resource Graph query without its required query text',
      request('POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
        subscriptions: ['x'],
      }),
      /required property 'query' is missing/,
    ],
    [
      'a Resource Graph $top above 1000',
      request('POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
        subscriptions: ['x'],
        query: 'resources',
        options: { $top: 5000 },
      }),
      /\$top: 5000 is above the maximum 1000/,
    ],
    [
      'a Resource Graph result format the service does not know',
      request('POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
        query: 'resources',
        options: { resultFormat: 'json' },
      }),
      /resultFormat: 'json' is not one of table, objectArray/,
    ],
    [
      'an ingestion row with a column the stream does not have',
      upload('Custom-AsrMobilityRun_CL', [{ TimeGenerated: '2026-11-30T02:00:00Z', RunId: 'r', Vault: 'v' }]),
      /column 'Vault' is not in stream Custom-AsrMobilityRun_CL/,
    ],
    [
      'an ingestion row with a wrong column type',
      upload('Custom-AsrMobilityRun_CL', [{ TimeGenerated: '2026-11-30T02:00:00Z', MappingsListed: '3' }]),
      /MappingsListed: expected int/,
    ],
    [
      'an ingestion stream the data collection rule does not declare',
      upload('Custom-Other_CL', [{ TimeGenerated: '2026-11-30T02:00:00Z' }]),
      /stream 'Custom-Other_CL' is not one of/,
    ],
    [
      'an ingestion upload at an api-version the contract was not read at',
      upload('Custom-AsrMobilityRun_CL', [], { api: '2021-11-01-preview' }),
      /api-version '2021-11-01-preview' is not in the contract for Upload \(the contract was read at 2023-01-01\)/,
    ],
    [
      'an ingestion upload without its bearer token',
      upload('Custom-AsrMobilityRun_CL', [], { headers: {} }),
      /\(Upload@2023-01-01\): header 'Authorization' is missing/,
    ],
    [
      'an ingestion upload with another authorization scheme',
      upload('Custom-AsrMobilityRun_CL', [], { headers: { authorization: 'SharedKey x' } }),
      /header 'Authorization' must be 'Bearer \{token\}'/,
    ],
    [
      'an ingestion upload that is not JSON',
      upload('Custom-AsrMobilityRun_CL', [], {
        headers: { authorization: 'Bearer t', 'content-type': 'text/csv' },
      }),
      /content type 'text\/csv' is not application\/json/,
    ],
    [
      'an ingestion body that is an object, not an array of rows',
      upload('Custom-AsrMobilityRun_CL', { TimeGenerated: '2026-11-30T02:00:00Z' }),
      /\$: expected array, got object/,
    ],
    [
      'an ingestion upload sent to Resource Manager instead of the data collection endpoint',
      { ...upload('Custom-AsrMobilityRun_CL', []), server: 'arm' },
      /no contract describes this path on the arm endpoint .*Upload is served by the ingestion endpoint/,
    ],
    [
      'a Resource Manager call sent to the data collection endpoint',
      request('GET', `${MAPPING_ID}?api-version=2026-05-01`, undefined, {}, 'ingestion'),
      /no contract describes this path on the ingestion endpoint/,
    ],
  ];
  it.each(refusals)(
    'fails when the runbook sends %s: 400 in ARM error shape, the violation named',
    (_name, rec, named) => {
      const { refused, reported } = check(rec);
      expect(refused?.status).toBe(400);
      const error = (refused!.body as { error: { code: string; message: string } }).error;
      expect(typeof error.code).toBe('string');
      expect(error.message).toMatch(/^Contract violation: /);
      expect(error.message).toMatch(named);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toMatch(named);
    },
  );

  it('accepts a Resource Graph query and an ingestion upload as the shared interfaces define them', () => {
    expect(
      check(
        request('POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
          subscriptions: ['00000000-1111-2222-3333-444444444444'],
          query: "resources | where type =~ 'microsoft.recoveryservices/vaults' | project id",
          options: { $top: 1000, $skipToken: 'abc' },
        }),
      ).reported,
    ).toEqual([]);
    expect(
      check(
        upload('Custom-AsrMobilityAgent_CL', [
          {
            TimeGenerated: '2026-11-30T02:00:00Z',
            RunId: 'r1',
            VaultId: VAULT_ID,
            Machine: 'vm1',
            Provider: 'A2A',
            AgentVersion: '9.62.1.1',
            ExpiryDate: '2027-06-01T00:00:00Z',
            Status: 'Current',
            Reasons: '',
          },
        ]),
      ).reported,
    ).toEqual([]);
  });

  it("checks the managed-identity token request against Automation's documented endpoint contract", () => {
    const token = (query: string, headers: Record<string, string>) =>
      check(request('GET', `/msi/token?${query}`, undefined, headers, 'identity'));
    const good = { 'x-identity-header': 'h', metadata: 'true' };
    expect(
      token('resource=https%3A%2F%2Fmanagement.azure.com%2F&api-version=2019-08-01', good).refused,
    ).toBeUndefined();
    const cases: [string, Record<string, string>, RegExp][] = [
      ['resource=r&api-version=2018-02-01', good, /'api-version' must be '2019-08-01'/],
      ['api-version=2019-08-01', good, /'resource' is missing/],
      ['resource=r&api-version=2019-08-01', { metadata: 'true' }, /header 'X-IDENTITY-HEADER' is missing/],
      ['resource=r&api-version=2019-08-01', { 'x-identity-header': 'h' }, /header 'Metadata' is missing/],
      [
        'resource=r&api-version=2019-08-01',
        { ...good, authorization: 'Bearer x' },
        /header 'Authorization' must not be sent/,
      ],
    ];
    for (const [query, headers, named] of cases) {
      const { refused, reported } = token(query, headers);
      expect(refused?.status).toBe(400);
      expect(reported.join('\n')).toMatch(named);
    }
  });

  it("exempts only the URLs the server handed out from the query check (a nextLink's skip token is the server's)", () => {
    const reported: string[] = [];
    const enforcer = new ContractEnforcer((v) => reported.push(v));
    const listUrl = `${VAULT_ID}/replicationProtectionContainerMappings?api-version=2026-05-01`;
    const first = request('GET', listUrl);
    expect(enforcer.checkRequest('arm', first)).toBeUndefined();
    enforcer.checkResponse('arm', first, {
      status: 200,
      body: { value: [], nextLink: `http://127.0.0.1:1${listUrl}&$skiptoken=1` },
    });
    expect(enforcer.checkRequest('arm', request('GET', `${listUrl}&$skiptoken=1`))).toBeUndefined();
    expect(enforcer.checkRequest('arm', request('GET', `${listUrl}&$skiptoken=2`))?.status).toBe(400);
    expect(reported).toEqual([expect.stringMatching(/query parameter '\$skiptoken' is not in the contract/)]);
  });

  it('fails when a response the fake serves drifts from the contract (a misspelled property, a wrong enum, a missing Resource Graph field)', () => {
    const drift = (rec: Recorded, body: Json) => {
      const reported: string[] = [];
      const enforcer = new ContractEnforcer((v) => reported.push(v));
      expect(enforcer.checkRequest('arm', rec)).toBeUndefined();
      enforcer.checkResponse('arm', rec, { status: 200, body });
      return reported.join('\n');
    };
    const get = () => request('GET', `${MAPPING_ID}?api-version=2026-05-01`);
    const m = mapping('m0') as unknown as { properties: { providerSpecificDetails: JsonObject } };
    expect(drift(get(), m as unknown as Json)).toBe('');
    const misspelled = JSON.parse(JSON.stringify(m)) as typeof m;
    misspelled.properties.providerSpecificDetails.AgentAutoUpdateStatus = 'Enabled';
    expect(drift(get(), misspelled as unknown as Json)).toMatch(
      /drifts from the contract: .*unknown property 'AgentAutoUpdateStatus'/,
    );
    const badEnum = JSON.parse(JSON.stringify(m)) as typeof m;
    badEnum.properties.providerSpecificDetails.automationAccountAuthenticationType = 'Managed';
    expect(drift(get(), badEnum as unknown as Json)).toMatch(
      /'Managed' is not one of RunAsAccount, SystemAssignedIdentity/,
    );
    const rg = request('POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
      query: 'resources',
    });
    expect(drift(rg, { totalRecords: 1, count: 1, data: [{ id: VAULT_ID }] })).toMatch(
      /required property 'resultTruncated' is missing/,
    );
    expect(drift(rg, { totalRecords: 1, count: 1, resultTruncated: 'false', data: [{ id: VAULT_ID }] })).toBe(
      '',
    );
    const status = request('GET', `${MAPPING_ID}?api-version=2026-05-01`);
    const reported: string[] = [];
    const enforcer = new ContractEnforcer((v) => reported.push(v));
    enforcer.checkRequest('arm', status);
    enforcer.checkResponse('arm', status, { status: 201, body: m as unknown as Json });
    enforcer.checkResponse('arm', status, { status: 404, body: { message: 'no' } });
    expect(reported.join('\n')).toMatch(/status 201 is not a response the contract declares/);
    expect(reported.join('\n')).toMatch(/error drifts from ARM's error shape/);
  });

  it("records an operation as answered with the specification's example only when the answer is the example, and the coverage check names what is missing", () => {
    const expectedBefore = coverageProblems([], ['Upload@2023-01-01']);
    expect(expectedBefore).toMatch(/never answered with the specification's example Upload@2023-01-01/);
    const reported: string[] = [];
    const enforcer = new ContractEnforcer((v) => reported.push(v));
    enforcer.scenario = 'coverage check';
    const rec = upload('Custom-AsrMobilityRun_CL', [{ TimeGenerated: '2026-11-30T02:00:00Z' }]);
    expect(enforcer.checkRequest('ingestion', rec)).toBeUndefined();
    // A 204 with a body is neither the contract's answer nor the example's.
    enforcer.checkResponse('ingestion', rec, { status: 204, body: {} });
    expect(reported).toEqual([expect.stringMatching(/the contract declares no body for this status/)]);
    expect(coverageProblems([], ['Upload@2023-01-01'])).toBe(expectedBefore);
    enforcer.checkResponse('ingestion', rec, { status: 204 });
    expect(coverageProblems(['Upload@2023-01-01'], ['Upload@2023-01-01'])).toBe('');
    expect(contractReport('contract.test.ts')).toMatch(
      /Upload@2023-01-01 {2}\[logs-ingestion-2023-01-01\.json\] .*answered with the specification's example in 1\n(.*\n)*\s+- coverage check {2}\(example answer\)/,
    );
    expect(coverageProblems(['ReplicationFabrics_List@2026-05-01'], [])).toMatch(
      /no contract for ReplicationFabrics_List@2026-05-01/,
    );
  });

  it("accepts every protected item of the shared agent-status table as the contract's replication details (the fake's fixtures are in contract)", () => {
    const table = JSON.parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'agent-status-cases.json'), 'utf8'),
    ) as { cases: { name: string; facts: AgentFactsJson; shapeBefore?: string }[] };
    const list = byId('ReplicationProtectedItems_List');
    // A case marked shapeBefore records what an older api-version sent (agentReinstallState as a
    // list before 2026-02-01): the 2026-05-01 contract does not describe it, and must refuse it.
    const current = table.cases.filter((c) => c.shapeBefore === undefined);
    const body = { value: current.map((c) => protectedItem(c.name, c.facts)) };
    expect(table.cases.length - current.length).toBe(1);
    const older = table.cases.filter((c) => c.shapeBefore !== undefined);
    expect(
      validate(
        list.contract,
        { value: older.map((c) => protectedItem(c.name, c.facts)) },
        list.op.responses['200']!,
        'response',
      ),
    ).not.toEqual([]);
    expect(validate(list.contract, body, list.op.responses['200']!, 'response')).toEqual([]);
    expect(table.cases.length).toBeGreaterThan(10);
  });
});

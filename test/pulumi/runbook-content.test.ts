// The runbook's content, published through Resource Manager by a Pulumi dynamic provider, against a
// fake Automation endpoint on loopback (Node http on 127.0.0.1, port 0). The fake behaves like the
// Automation routes (Azure/azure-rest-api-specs, specification/automation/resource-manager/
// Microsoft.Automation/stable/2024-10-23/runbook.json): a PUT of `draft/content` (text/powershell)
// answers 202 with a Location, a POST of `publish` answers 202 with a Location, the operation answers
// 202 while running and 200 when done; a request without the bearer token gets 401 and one without
// `api-version` gets 400. Every request is recorded, so each test can say what went over the wire.
//
// Besides the provider's functions as imported, one test runs the provider exactly as Pulumi ships it:
// serialized by Pulumi's closure serializer, loaded from that text, and pointed at the fake.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as pulumi from '@pulumi/pulumi';
import {
  RUNBOOK_CONTENT_API_VERSION,
  RunbookContent,
  republishKeyOf,
  runbookContentProvider,
  type RunbookContentInputs,
} from '../../constructs/pulumi/runbook-content';

const TOKEN = `eyFAKE.${randomUUID()}.sig`;
const RUNBOOK_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-asr/providers/Microsoft.Automation/automationAccounts/aa-asr/runbooks/Set-AsrMobilityAutoUpdate';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  status?: number;
}

/** How the fake answers one kind of request. */
interface Plan {
  /** Status reads that answer 202 before the operation is done. */
  readonly polls: number;
  /** The first answer(s) of the request itself, before the normal one (429, 500, ...). */
  readonly before?: readonly { status: number; headers?: Record<string, string>; body?: unknown }[];
  /** Replaces the normal answer (an ARM error, for example). */
  readonly fail?: { status: number; body: unknown };
  /** The operation ends with this answer instead of 200 (a failed publish seen on the Location). */
  readonly operationFails?: { status: number; body: unknown };
  /** The operation never finishes. */
  readonly never?: boolean;
  /** The Location points at another origin. */
  readonly foreignLocation?: boolean;
  /** The 202 carries Azure-AsyncOperation (a status body) besides Location; the operation ends with this status. */
  readonly asyncStatus?: 'Succeeded' | 'Failed' | 'Canceled';
}

class FakeAutomation {
  readonly requests: Recorded[] = [];
  draft: string | undefined;
  published: string | undefined;
  publishCount = 0;
  plans: { draft: Plan; publish: Plan } = { draft: { polls: 1 }, publish: { polls: 2 } };
  private readonly server: Server;
  private readonly operations = new Map<string, { left: number; plan: Plan; done: () => void }>();
  private readonly beforeLeft = { draft: 0, publish: 0 };

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setPlans(plans: { draft: Plan; publish: Plan }): void {
    this.plans = plans;
    this.beforeLeft.draft = plans.draft.before?.length ?? 0;
    this.beforeLeft.publish = plans.publish.before?.length ?? 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.endpoint);
      const rec: Recorded = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(rec);
      const send = (status: number, headers: Record<string, string> = {}, body?: unknown): void => {
        rec.status = status;
        const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, {
          'x-ms-request-id': randomUUID(),
          'content-type': 'application/json',
          ...headers,
        });
        res.end(text);
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return send(401, {}, { error: { code: 'AuthenticationFailed', message: 'no valid bearer token' } });
      }
      if (!url.searchParams.get('api-version')) {
        return send(
          400,
          {},
          { error: { code: 'MissingApiVersionParameter', message: 'api-version is required' } },
        );
      }
      const path = url.pathname.toLowerCase();
      const op = /\/operationresults\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && op) {
        const o = this.operations.get(op[1]);
        if (!o) return send(404, {}, { error: { code: 'NotFound', message: 'no such operation' } });
        if (o.plan.never || o.left > 0) {
          o.left--;
          return send(202, { 'retry-after': '0', location: url.toString() });
        }
        if (o.plan.asyncStatus) {
          if (o.plan.asyncStatus !== 'Succeeded') {
            return send(
              200,
              {},
              {
                status: o.plan.asyncStatus,
                error: { code: 'RunbookPublishFailed', message: 'The runbook could not be compiled.' },
              },
            );
          }
          o.done();
          return send(200, {}, { status: 'Succeeded' });
        }
        if (o.plan.operationFails) return send(o.plan.operationFails.status, {}, o.plan.operationFails.body);
        o.done();
        return send(200);
      }
      const base = RUNBOOK_ID.toLowerCase();
      const kind =
        req.method === 'PUT' && path === `${base}/draft/content`
          ? 'draft'
          : req.method === 'POST' && path === `${base}/publish`
            ? 'publish'
            : undefined;
      if (!kind)
        return send(404, {}, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
      const plan = this.plans[kind];
      if (this.beforeLeft[kind] > 0) {
        const b = plan.before![plan.before!.length - this.beforeLeft[kind]];
        this.beforeLeft[kind]--;
        return send(b.status, b.headers, b.body);
      }
      if (kind === 'draft' && req.headers['content-type'] !== 'text/powershell') {
        return send(
          415,
          {},
          { error: { code: 'UnsupportedMediaType', message: 'text/powershell expected' } },
        );
      }
      if (plan.fail) return send(plan.fail.status, {}, plan.fail.body);
      const body = rec.body;
      const done =
        kind === 'draft'
          ? () => {
              this.draft = body;
            }
          : () => {
              if (this.draft === undefined) throw new Error('publish without a draft');
              this.published = this.draft;
              this.publishCount++;
            };
      const id = randomUUID();
      this.operations.set(id, { left: plan.polls, plan, done });
      const origin = plan.foreignLocation ? 'http://127.0.0.2:9' : this.endpoint;
      const location = `${origin}${RUNBOOK_ID}/${kind === 'draft' ? 'draft' : 'publish'}/operationResults/${id}?api-version=2019-06-01`;
      const asyncOp: Record<string, string> = plan.asyncStatus
        ? { 'azure-asyncoperation': location.replace('operationResults', 'asyncOperations/operationResults') }
        : {};
      return send(202, { location, 'retry-after': '0', ...asyncOp });
    });
  }
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex').toUpperCase();

const SCRIPT_V1 = "param([string] $VaultResourceId)\nWrite-Output 'v1'\n";
const SCRIPT_V2 = "param([string] $VaultResourceId)\nWrite-Output 'v2'\n";

function inputs(
  fake: FakeAutomation,
  content: string,
  over: Partial<RunbookContentInputs> = {},
): RunbookContentInputs {
  return {
    runbookId: RUNBOOK_ID,
    content,
    contentSha256: sha256(content),
    republishKey: '',
    accessToken: TOKEN,
    armEndpoint: fake.endpoint,
    deadlineInSeconds: 10,
    pollIntervalInSeconds: 0,
    maxRetries: 2,
    ...over,
  };
}

type Rec = Record<string, unknown>;
const asRec = (v: RunbookContentInputs | object): Rec => v as unknown as Rec;

/** Every string a run left where a user or a log could see it must be free of the token. */
function expectNoToken(...values: unknown[]): void {
  for (const v of values) expect(JSON.stringify(v) ?? '').not.toContain(TOKEN);
}

let fake: FakeAutomation;
beforeEach(async () => {
  fake = await new FakeAutomation().start();
});
afterEach(async () => {
  await fake.close();
});

const summary = (): string[] =>
  fake.requests.map((r) => `${r.method} ${r.path.replace(RUNBOOK_ID, '{runbook}')} ${r.status}`);

describe('RunbookContent provider against a fake Automation endpoint', () => {
  test('creates: puts the draft as text/powershell, publishes, follows both 202s to the end; outputs carry no token', async () => {
    const t0 = Date.now();
    const created = await runbookContentProvider.create(asRec(inputs(fake, SCRIPT_V1)));
    const elapsed = Date.now() - t0;

    expect(fake.published).toBe(SCRIPT_V1);
    expect(fake.publishCount).toBe(1);
    expect(summary()).toEqual([
      'PUT {runbook}/draft/content 202',
      `GET {runbook}/draft/operationResults/${fake.requests[1].path.split('/').pop()} 202`,
      `GET {runbook}/draft/operationResults/${fake.requests[1].path.split('/').pop()} 200`,
      'POST {runbook}/publish 202',
      `GET {runbook}/publish/operationResults/${fake.requests[4].path.split('/').pop()} 202`,
      `GET {runbook}/publish/operationResults/${fake.requests[4].path.split('/').pop()} 202`,
      `GET {runbook}/publish/operationResults/${fake.requests[4].path.split('/').pop()} 200`,
    ]);
    const put = fake.requests[0];
    expect(put.headers['content-type']).toBe('text/powershell');
    expect(put.query.get('api-version')).toBe(RUNBOOK_CONTENT_API_VERSION);
    expect(fake.requests[3].query.get('api-version')).toBe(RUNBOOK_CONTENT_API_VERSION);
    expect(created).toEqual({
      id: `${RUNBOOK_ID}/content`,
      outs: {
        runbookId: RUNBOOK_ID,
        contentSha256: sha256(SCRIPT_V1),
        republishKey: '',
        apiVersion: RUNBOOK_CONTENT_API_VERSION,
        requestCount: 7,
      },
    });
    expectNoToken(created);
    expect(elapsed).toBeLessThan(5000);
  });

  test('a redeploy without changes is a no-op: a new token alone is no change, and nothing is sent', async () => {
    const created = await runbookContentProvider.create(asRec(inputs(fake, SCRIPT_V1)));
    const sent = fake.requests.length;
    const diff = await runbookContentProvider.diff(
      created.id,
      { ...created.outs },
      asRec(inputs(fake, SCRIPT_V1, { accessToken: 'another-token-from-a-later-run' })),
    );
    expect(diff).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(fake.requests.length).toBe(sent);
  });

  test('a changed runbook is republished: the diff sees the hash, the update puts and publishes the new content', async () => {
    const created = await runbookContentProvider.create(asRec(inputs(fake, SCRIPT_V1)));
    const news = asRec(inputs(fake, SCRIPT_V2));
    expect(await runbookContentProvider.diff(created.id, { ...created.outs }, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await runbookContentProvider.update(created.id, { ...created.outs }, news);
    expect(fake.published).toBe(SCRIPT_V2);
    expect(fake.publishCount).toBe(2);
    expect(updated.outs.contentSha256).toBe(sha256(SCRIPT_V2));
    // A changed republish key (the runbook resource's own inputs) republishes the same content.
    expect(
      (
        await runbookContentProvider.diff(
          created.id,
          { ...updated.outs },
          asRec(inputs(fake, SCRIPT_V2, { republishKey: 'runbook-inputs-2' })),
        )
      ).changes,
    ).toBe(true);
    // Another runbook id is a replacement (a new resource id).
    expect(
      (
        await runbookContentProvider.diff(
          created.id,
          { ...updated.outs },
          asRec(inputs(fake, SCRIPT_V2, { runbookId: RUNBOOK_ID.replace('aa-asr', 'aa-other') })),
        )
      ).replaces,
    ).toEqual(['runbookId']);
  });

  test('fails when the publish is refused: the error names the step, ARM code, message and request id, not the token', async () => {
    fake.setPlans({
      draft: { polls: 0 },
      publish: {
        polls: 0,
        fail: {
          status: 400,
          body: { error: { code: 'BadRequest', message: 'The runbook has syntax errors: line 3.' } },
        },
      },
    });
    const err = await runbookContentProvider.create(asRec(inputs(fake, SCRIPT_V1))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^publishing runbook Set-AsrMobilityAutoUpdate: POST \.\.\.\/publish answered 400 BadRequest: The runbook has syntax errors: line 3\. \(x-ms-request-id [0-9a-f-]{36}\)$/,
    );
    expectNoToken(message, (err as Error).stack);
    expect(fake.published).toBeUndefined();
    // A 400 is not retried.
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('fails when the publish operation ends in an ARM error on its Location', async () => {
    fake.setPlans({
      draft: { polls: 0 },
      publish: {
        polls: 1,
        operationFails: {
          status: 409,
          body: { error: { code: 'Conflict', message: 'A job of this runbook is running.' } },
        },
      },
    });
    const err = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V1)))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^publishing runbook Set-AsrMobilityAutoUpdate: the operation answered 409 Conflict: A job of this runbook is running\./,
    );
    expectNoToken(err.message);
  });

  test('fails when an Azure-AsyncOperation ends Failed or Canceled; follows it (not Location) to Succeeded', async () => {
    fake.setPlans({
      draft: { polls: 1, asyncStatus: 'Succeeded' },
      publish: { polls: 0, asyncStatus: 'Failed' },
    });
    const err = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V1)))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^publishing runbook Set-AsrMobilityAutoUpdate: the operation ended Failed: RunbookPublishFailed: The runbook could not be compiled\. \(x-ms-request-id /,
    );
    expect(fake.draft).toBe(SCRIPT_V1);
    expect(fake.requests.filter((r) => r.path.includes('/asyncOperations/'))).toHaveLength(3);
    expect(fake.published).toBeUndefined();

    fake.setPlans({ draft: { polls: 0 }, publish: { polls: 0, asyncStatus: 'Canceled' } });
    const canceled = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V1)))
      .catch((e: unknown) => e)) as Error;
    expect(canceled.message).toMatch(/the operation ended Canceled/);
  });

  test('fails when the draft is refused without a valid token (401), naming the draft step', async () => {
    const err = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V1, { accessToken: 'expired' })))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /^replacing the draft of runbook Set-AsrMobilityAutoUpdate: PUT \.\.\.\/draft\/content answered 401 AuthenticationFailed/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test('retries 429 and 5xx as Retry-After asks, at most maxRetries times', async () => {
    fake.setPlans({
      draft: { polls: 0, before: [{ status: 429, headers: { 'retry-after': '0' } }, { status: 503 }] },
      publish: { polls: 0 },
    });
    await runbookContentProvider.create(asRec(inputs(fake, SCRIPT_V1)));
    expect(fake.published).toBe(SCRIPT_V1);
    expect(summary().slice(0, 3)).toEqual([
      'PUT {runbook}/draft/content 429',
      'PUT {runbook}/draft/content 503',
      'PUT {runbook}/draft/content 202',
    ]);

    fake.setPlans({
      draft: { polls: 0, before: [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }] },
      publish: { polls: 0 },
    });
    const before = fake.requests.length;
    const err = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V2)))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/draft\/content answered 500 .* after 3 attempt\(s\)$/);
    expect(fake.requests.length - before).toBe(3);
  });

  test('fails when the operation never finishes: stops at the deadline', async () => {
    fake.setPlans({ draft: { polls: 0 }, publish: { polls: 0, never: true } });
    const t0 = Date.now();
    const err = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V1, { deadlineInSeconds: 1, pollIntervalInSeconds: 0.05 })))
      .catch((e: unknown) => e)) as Error;
    const elapsed = Date.now() - t0;
    expect(err.message).toMatch(/^publishing runbook Set-AsrMobilityAutoUpdate: still running after 1 s/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3000);
    // Bounded: Retry-After: 0 is read as the floor (min(1 s, pollInterval)), so one status read per 50 ms at most.
    expect(fake.requests.length).toBeLessThanOrEqual(2 + 1000 / 50);
  });

  test('fails when a Location points at another host: the token stays home', async () => {
    fake.setPlans({ draft: { polls: 0, foreignLocation: true }, publish: { polls: 0 } });
    const err = (await runbookContentProvider
      .create(asRec(inputs(fake, SCRIPT_V1)))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `replacing the draft of runbook Set-AsrMobilityAutoUpdate: refusing to follow http://127.0.0.2:9 (only ${fake.endpoint} gets the token)`,
    );
    expect(fake.requests).toHaveLength(1);
  });

  test('check reports every bad input by property, and lets a value unknown at preview through', async () => {
    const result = await runbookContentProvider.check(
      {},
      asRec(
        inputs(fake, '', {
          runbookId: '/subscriptions/x/resourceGroups/y',
          contentSha256: 'abc',
          armEndpoint: 'http://example.com',
          maxRetries: 99,
        }),
      ),
    );
    expect(result.failures.map((f) => f.property)).toEqual([
      'runbookId',
      'content',
      'contentSha256',
      'armEndpoint',
      'maxRetries',
    ]);
    expectNoToken(result.failures);
    const unknown = await runbookContentProvider.check(
      {},
      asRec(inputs(fake, SCRIPT_V1, { runbookId: '04da6b54-80e4-46f7-96ec-b56ff0331ba9' })),
    );
    expect(unknown.failures).toEqual([]);
  });

  test('runs as Pulumi ships it: serialized, loaded from its text, it publishes; the text holds no token and is the same twice', async () => {
    const t0 = Date.now();
    const first = await pulumi.runtime.serializeFunction(() => runbookContentProvider, {
      allowSecrets: true,
    });
    const serializeMs = Date.now() - t0;
    const second = await pulumi.runtime.serializeFunction(() => runbookContentProvider, {
      allowSecrets: true,
    });
    expect(second.text).toBe(first.text);
    expect(first.containsSecrets).toBe(false);
    expectNoToken(first.text);
    // Load it as the dynamic provider host does (requireFromString(text).handler()).
    const mod = { exports: {} as { handler?: () => typeof runbookContentProvider } };
    new Function('module', 'exports', 'require', first.text)(mod, mod.exports, require);
    const shipped = mod.exports.handler!();
    const created = await shipped.create(asRec(inputs(fake, SCRIPT_V1)));
    expect(fake.published).toBe(SCRIPT_V1);
    expect(created.outs.requestCount).toBe(7);
    expect(serializeMs).toBeLessThan(20000);
  });
});

describe('republishKeyOf', () => {
  test('is the same for the same inputs in any key order, and differs when one changes', () => {
    const a = republishKeyOf({
      runbookType: 'PowerShell',
      runtimeEnvironment: 'PowerShell-7.6',
      tags: { team: 'dr', env: 'prod' },
      description: undefined,
    });
    const b = republishKeyOf({
      tags: { env: 'prod', team: 'dr' },
      runtimeEnvironment: 'PowerShell-7.6',
      runbookType: 'PowerShell',
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9A-F]{64}$/);
    expect(
      republishKeyOf({
        runbookType: 'PowerShell',
        runtimeEnvironment: 'PowerShell-7.4',
        tags: { team: 'dr', env: 'prod' },
      }),
    ).not.toBe(a);
    expect(republishKeyOf({ list: [1, 2] })).not.toBe(republishKeyOf({ list: [2, 1] }));
  });
});

describe('RunbookContent resource under Pulumi mocks', () => {
  test("takes the deployer's token from azure-native's getClientToken, as a secret; the registered outputs hold no token", async () => {
    const calls: { token: string; args: Rec }[] = [];
    const registered: { type: string; inputs: Rec }[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push({ type: a.type, inputs: a.inputs as Rec });
          // What the provider's create returns: the outputs only.
          return {
            id: `${RUNBOOK_ID}/content`,
            state: {
              runbookId: a.inputs.runbookId,
              contentSha256: a.inputs.contentSha256,
              republishKey: a.inputs.republishKey,
              apiVersion: RUNBOOK_CONTENT_API_VERSION,
              requestCount: 7,
            },
          };
        },
        call: (a) => {
          calls.push({ token: a.token, args: a.inputs as Rec });
          return a.token === 'azure-native:authorization:getClientToken' ? { token: TOKEN } : {};
        },
      },
      'project',
      'stack',
      false,
    );
    const r = new RunbookContent('runbook-content', {
      runbookId: RUNBOOK_ID,
      content: SCRIPT_V1,
      contentSha256: sha256(SCRIPT_V1),
    });
    const secret = await pulumi.isSecret(
      (r as unknown as { accessToken: pulumi.Output<unknown> }).accessToken,
    );
    const outs = await new Promise<unknown>((resolve) =>
      pulumi.all([r.runbookId, r.contentSha256, r.republishKey, r.apiVersion, r.requestCount]).apply(resolve),
    );
    expect(calls.map((c) => c.token)).toEqual(['azure-native:authorization:getClientToken']);
    expect(registered).toHaveLength(1);
    expect(registered[0].type).toBe('pulumi-nodejs:dynamic/asr-mobility-autoupdate:RunbookContent');
    // The mocks see the secret envelope: Pulumi stores the token encrypted, as a secret input.
    expect(registered[0].inputs.accessToken).toEqual({
      '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270',
      value: TOKEN,
    });
    expect(registered[0].inputs.armEndpoint).toBe('https://management.azure.com');
    expect(typeof registered[0].inputs.__provider).toBe('string');
    expectNoToken(registered[0].inputs.__provider);
    // The engine takes the outputs from the provider's outs, which hold no token (the create test above);
    // under mocks an input reads back as itself, so what is checked here is that it stays a secret.
    expect(secret).toBe(true);
    expect(outs).toEqual([RUNBOOK_ID, sha256(SCRIPT_V1), '', RUNBOOK_CONTENT_API_VERSION, 7]);
    expectNoToken(outs);
  });
});

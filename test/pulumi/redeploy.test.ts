// Day 2 under Pulumi: a second `pulumi up` with the same program changes nothing, at any later time,
// and new runbook content re-publishes the runbook (only): by default through RunbookContent (the
// draft put and published through Resource Manager), with `runbookHosting: storage` through a fresh,
// valid link.
//
// The harness runs the Pulumi program under mocks twice and plays the engine's part in between:
// the second run starts from the first run's state, so a property named in `ignoreChanges` takes
// its value from that state (what `pulumi up` does before it diffs), and every output the program
// reads (blob metadata, for example) is the recorded one. The SAS mock signs like Azure does: the
// token is a pure function of its parameters, so a window that moves shows up in the runbook's link.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as runbookAssetModule from '../../constructs/domain/runbook-asset';
import { runbookContentProvider } from '../../constructs/pulumi/runbook-content';
import { readStackFile } from '../../stacks/pulumi/offline';
import { program } from '../../stacks/pulumi/program';
import { PROJECT_NAME } from '../../stacks/pulumi/project-file';

// Lets a test ship other runbook content, as a new release of the package would.
let mockContent: string | undefined;
jest.mock('../../constructs/domain/runbook-asset', () => {
  const actual = jest.requireActual<typeof runbookAssetModule>('../../constructs/domain/runbook-asset');
  return {
    ...actual,
    runbookAsset: () =>
      mockContent === undefined ? actual.runbookAsset() : actual.runbookAssetFromContent(mockContent),
  };
});

type Props = Record<string, unknown>;

/** What one run left behind: every resource's effective inputs (after ignoreChanges), by `<type>::<name>`. */
interface Deployment {
  readonly resources: ReadonlyMap<
    string,
    { readonly inputs: Props; readonly ignoreChanges: readonly string[] }
  >;
  /** The raw inputs the program registered, before the engine applied ignoreChanges. */
  readonly programInputs: ReadonlyMap<string, Props>;
  readonly sasCalls: readonly Props[];
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const root = join(__dirname, '..', '..');

/** Unwraps Pulumi secret envelopes, so values compare as what they are. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    if (SECRET_SIG in value) return plain((value as unknown as { value: unknown }).value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function getPath(obj: Props, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Props)[p] : undefined;
  return cur;
}

function setPath(obj: Props, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Props;
  }
  if (value === undefined) delete cur[path[path.length - 1]!];
  else cur[path[path.length - 1]!] = value;
}

/** What the engine does with `ignoreChanges`: the ignored properties keep their values from state. */
function applyIgnoreChanges(inputs: Props, old: Props | undefined, ignore: readonly string[]): Props {
  if (!old) return inputs;
  const out = structuredClone(inputs);
  for (const path of ignore) setPath(out, path.split('.'), structuredClone(getPath(old, path.split('.'))));
  return out;
}

/** Runs the program for a stack file at `now`, starting from `state` (a previous run) when given. */
async function deploy(
  stack: string,
  now: string,
  state?: Deployment,
  overrides: Record<string, string> = {},
): Promise<Deployment> {
  const { config } = readStackFile(join(root, `Pulumi.${stack}.yaml`));
  const prefix = `${PROJECT_NAME}:`;
  const own = {
    ...Object.fromEntries(
      Object.entries(config)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    ),
    ...overrides,
  };
  const resources = new Map<string, { inputs: Props; ignoreChanges: readonly string[] }>();
  const programInputs = new Map<string, Props>();
  const ignoreByKey = new Map<string, readonly string[]>();
  const sasCalls: Props[] = [];
  // An uploaded asset's text is a promise: compare blobs by the SHA-256 of what they upload.
  const uploads: Promise<void>[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const key = `${args.type}::${args.name}`;
        const raw = plain(args.inputs) as Props;
        const ignore = ignoreByKey.get(key) ?? [];
        const inputs = applyIgnoreChanges(raw, state?.resources.get(key)?.inputs, ignore);
        programInputs.set(key, raw);
        resources.set(key, { inputs, ignoreChanges: ignore });
        const text = (args.inputs.source as { text?: unknown } | undefined)?.text;
        if (text instanceof Promise)
          uploads.push(
            text.then((t: string) => {
              const source = { sha256: createHash('sha256').update(t, 'utf8').digest('hex') };
              raw.source = source;
              inputs.source = source;
            }),
          );
        const outputs: Props = { ...inputs };
        if (args.type === 'azure-native:automation:AutomationAccount')
          outputs.identity = { type: 'SystemAssigned', principalId: '11111111-1111-1111-1111-111111111111' };
        if (args.type === 'azure-native:storage:StorageAccount')
          outputs.primaryEndpoints = { blob: `https://${String(inputs.accountName)}.blob.core.windows.net/` };
        if (args.type === 'azure-native:storage:Blob') outputs.name = inputs.blobName;
        return { id: `/mock/${key}`, state: outputs };
      },
      call(args) {
        // The deployer's token: a placeholder, never a token, and another one on every run (as a real
        // token is), which must not count as a change.
        if (args.token === 'azure-native:authorization:getClientToken')
          return { token: `not-a-token-issued-${now}` };
        if (args.token !== 'azure-native:storage:listStorageAccountServiceSAS')
          throw new Error(`no mock for ${args.token}`);
        const a = plain(args.inputs) as Props;
        sasCalls.push(a);
        const sig = createHash('sha256').update(JSON.stringify(a)).digest('base64url');
        return {
          serviceSasToken: `sv=2022-11-02&st=${String(a.sharedAccessStartTime)}&se=${String(a.sharedAccessExpiryTime)}&sr=b&sp=${String(a.permissions)}&spr=${String(a.protocols)}&sig=${sig}`,
        };
      },
    },
    PROJECT_NAME,
    stack,
    false,
  );
  const registered: string[] = [];
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const key = `${args.type}::${args.name}`;
      if (args.type !== 'pulumi:pulumi:Stack') registered.push(key);
      ignoreByKey.set(key, args.opts.ignoreChanges ?? []);
      return undefined;
    });
    program({ get: (k) => own[k], keys: () => Object.keys(own) }, () => new Date(now));
    return {};
  });
  for (let i = 0; i < 300 && registered.some((k) => !programInputs.has(k)); i++)
    await new Promise((r) => setTimeout(r, 10));
  await Promise.all(uploads);
  for (const key of [...resources.keys()]) if (!registered.includes(key)) resources.delete(key);
  return { resources, programInputs, sasCalls };
}

const HOUR = 3600000;
const later = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
const T0 = '2026-11-22T10:42:13Z';

/** Every leaf path where two values differ. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Props)[k], (b as Props)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/** `<type>::<name>` -> differing input paths, for resources present in both runs; added/removed listed apart. */
function compare(first: Deployment, second: Deployment, which: 'resources' | 'programInputs') {
  const get = (d: Deployment, k: string) =>
    which === 'resources' ? d.resources.get(k)?.inputs : d.programInputs.get(k);
  const keys1 = [...first.resources.keys()];
  const keys2 = [...second.resources.keys()];
  const changed: Record<string, string[]> = {};
  for (const k of keys1.filter((k) => keys2.includes(k))) {
    // RunbookContent's diff ignores the token (a fresh one every run is no change): so does this one.
    const d = differences(get(first, k), get(second, k)).filter(
      (p) => !(k.startsWith(RUNBOOK_CONTENT) && p === 'accessToken'),
    );
    if (d.length > 0) changed[k] = d;
  }
  return {
    changed,
    added: keys2.filter((k) => !keys1.includes(k)),
    removed: keys1.filter((k) => !keys2.includes(k)),
  };
}

const RUNBOOK_CONTENT = 'pulumi-nodejs:dynamic/asr-mobility-autoupdate:RunbookContent::';
const contentKeyOf = (d: Deployment): string | undefined => {
  const keys = [...d.resources.keys()].filter((k) => k.startsWith(RUNBOOK_CONTENT));
  expect(keys.length).toBeLessThanOrEqual(1);
  return keys[0];
};
/** What RunbookContent's own diff (the provider's, as the engine calls it) says between two runs. */
const contentDiff = (a: Deployment, b: Deployment) =>
  runbookContentProvider.diff(
    'id',
    a.resources.get(contentKeyOf(a)!)!.inputs,
    b.resources.get(contentKeyOf(b)!)!.inputs,
  );

const runbookKey = (d: Deployment): string => {
  const keys = [...d.resources.keys()].filter((k) => k.startsWith('azure-native:automation:Runbook::'));
  expect(keys).toHaveLength(1);
  return keys[0]!;
};
const linkOf = (d: Deployment) =>
  (d.resources.get(runbookKey(d))!.inputs.publishContentLink ?? {}) as {
    uri: string;
    contentHash: { algorithm: string; value: string };
  };
const windowOf = (uri: string) => {
  const q = new URLSearchParams(uri.split('?')[1] ?? '');
  return { start: q.get('st') ?? '', expiry: q.get('se') ?? '' };
};

afterEach(() => {
  mockContent = undefined;
});

describe.each(['a2a', 'vmware', 'existing'])('Pulumi example stack %s, deployed again later', (stack) => {
  let first: Deployment;
  beforeAll(async () => {
    first = await deploy(stack, T0);
  });

  it('publishes the shipped content through RunbookContent: an empty draft, no link, no storage', () => {
    const rb = first.resources.get(runbookKey(first))!.inputs;
    expect(rb.draft).toEqual({});
    expect(rb.publishContentLink).toBeUndefined();
    const content = first.resources.get(contentKeyOf(first)!)!.inputs;
    const shipped = runbookAssetModule.runbookAsset();
    expect(content).toMatchObject({ content: shipped.content, contentSha256: shipped.sha256 });
    expect([...first.resources.keys()].filter((k) => k.startsWith('azure-native:storage:'))).toEqual([]);
    expect(first.sasCalls).toEqual([]);
  });

  it.each([
    ['3 hours', 3 * HOUR],
    ['26 hours', 26 * HOUR],
    ['3 weeks', 21 * 24 * HOUR],
    ['a year', 365 * 24 * HOUR],
  ])('changes no resource input %s later, and RunbookContent sees no change', async (_, ms) => {
    const second = await deploy(stack, later(T0, ms), first);
    // What the engine diffs: every resource, every input, identical (the token aside, which RunbookContent ignores).
    expect(compare(first, second, 'resources')).toEqual({ changed: {}, added: [], removed: [] });
    const key = contentKeyOf(first)!;
    expect(second.resources.get(key)!.inputs.accessToken).not.toEqual(
      first.resources.get(key)!.inputs.accessToken,
    );
    await expect(contentDiff(first, second)).resolves.toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // What the program sent differs only in what is taken from the clock once and then ignored
    // (the schedule's first start time), and the token.
    const raw = compare(first, second, 'programInputs').changed;
    const seen = Object.entries(raw).flatMap(([k, paths]) => paths.map((p) => `${k.split('::')[0]}.${p}`));
    expect(seen.filter((p) => p !== 'azure-native:automation:Schedule.startTime')).toEqual([]);
  });

  it('re-publishes the runbook, and changes nothing else, when its content changes months later', async () => {
    const shipped = runbookAssetModule.runbookAsset();
    mockContent = `${shipped.content}# a later release\n`;
    const now = later(T0, 20 * 7 * 24 * HOUR);
    const second = await deploy(stack, now, first);
    const diff = compare(first, second, 'resources');
    const rb = runbookKey(first);
    const content = contentKeyOf(first)!;
    // The runbook is updated in place (its description names the new hash); its content is put and
    // published again by the same RunbookContent (an update, not a replacement).
    expect(Object.keys(diff.changed).sort()).toEqual([rb, content].sort());
    expect(diff.changed[rb]).toEqual(['description']);
    expect(diff.changed[content]!.sort()).toEqual(['content', 'contentSha256', 'republishKey']);
    expect(diff).toMatchObject({ added: [], removed: [] });
    expect(second.resources.get(content)!.inputs.contentSha256).toBe(
      runbookAssetModule.runbookAssetFromContent(mockContent).sha256,
    );
    await expect(contentDiff(first, second)).resolves.toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // The same new content deployed again a week later: no change at all.
    const third = await deploy(stack, later(now, 7 * 24 * HOUR), second);
    expect(compare(second, third, 'resources')).toEqual({ changed: {}, added: [], removed: [] });
    await expect(contentDiff(second, third)).resolves.toMatchObject({ changes: false });
  });

  it('republishes once when only the runbook resource itself changes (its PUT is followed by a publish)', async () => {
    const second = await deploy(stack, later(T0, HOUR), first, { runtimeEnvironmentName: 'ps76-shared' });
    await expect(contentDiff(first, second)).resolves.toMatchObject({ changes: true });
  });
});

describe.each(['a2a', 'vmware', 'existing'])(
  "Pulumi example stack %s with runbookHosting: 'storage', deployed again later",
  (stack) => {
    const storage = { runbookHosting: 'storage' };
    let first: Deployment;
    beforeAll(async () => {
      first = await deploy(stack, T0, undefined, storage);
    });

    it('links the runbook with a window that covers the first deploy and ends', () => {
      const w = windowOf(linkOf(first).uri);
      expect(Date.parse(w.start)).toBeLessThanOrEqual(Date.parse(T0));
      expect(Date.parse(w.expiry)).toBeGreaterThan(Date.parse(T0));
      expect(Date.parse(w.expiry) - Date.parse(w.start)).toBeLessThanOrEqual(168 * HOUR);
    });

    it.each([
      ['3 hours', 3 * HOUR],
      ['26 hours', 26 * HOUR],
      ['3 weeks', 21 * 24 * HOUR],
      ['a year', 365 * 24 * HOUR],
    ])('changes no resource input %s later', async (_, ms) => {
      const second = await deploy(stack, later(T0, ms), first, storage);
      // What the engine diffs: every resource, every input, identical (the runbook's link included).
      expect(compare(first, second, 'resources')).toEqual({ changed: {}, added: [], removed: [] });
      expect(linkOf(second)).toEqual(linkOf(first));
      // What the program sent differs only in values that are taken from the clock once and then ignored:
      // the schedule's first start time, and the hour the runbook's link was first anchored to.
      const raw = compare(first, second, 'programInputs').changed;
      for (const [key, paths] of Object.entries(raw)) {
        const ignored = second.resources.get(key)!.ignoreChanges;
        expect({
          key,
          paths: paths.filter((p) => !ignored.some((i) => p === i || p.startsWith(`${i}.`))),
        }).toEqual({
          key,
          paths: [],
        });
      }
      const allowed = [
        'azure-native:automation:Schedule.startTime',
        'azure-native:storage:Blob.metadata.asrlinkanchor',
      ];
      const seen = Object.entries(raw).flatMap(([key, paths]) =>
        paths.map((p) => `${key.split('::')[0]}.${p}`),
      );
      expect(seen.filter((p) => !allowed.includes(p))).toEqual([]);
    });

    it('re-publishes the runbook, and changes nothing else, when its content changes months later', async () => {
      const shipped = runbookAssetModule.runbookAsset();
      mockContent = `${shipped.content}# a later release\n`;
      const now = later(T0, 20 * 7 * 24 * HOUR);
      const second = await deploy(stack, now, first, storage);
      const diff = compare(first, second, 'resources');
      const rb = runbookKey(first);
      // The runbook is updated in place (same resource); its content blob is a new one, the old one goes.
      expect(Object.keys(diff.changed)).toEqual([rb]);
      expect(diff.changed[rb]!.sort()).toEqual([
        'description',
        'publishContentLink.contentHash.value',
        'publishContentLink.uri',
      ]);
      expect(diff.added).toEqual([expect.stringMatching(/^azure-native:storage:Blob::/)]);
      expect(diff.removed).toEqual([expect.stringMatching(/^azure-native:storage:Blob::/)]);
      const link = linkOf(second);
      expect(link.contentHash.value).toBe(runbookAssetModule.runbookAssetFromContent(mockContent).sha256);
      expect(second.resources.get(diff.added[0]!)!.inputs.source).toEqual({
        sha256: link.contentHash.value.toLowerCase(),
      });
      // A fresh link: the old one has long expired, and Automation must be able to read the new one now.
      const w = windowOf(link.uri);
      expect(Date.parse(w.start)).toBeLessThanOrEqual(Date.parse(now));
      expect(Date.parse(w.expiry)).toBeGreaterThan(Date.parse(now));
      // The same new content deployed again a week later: no change at all.
      const third = await deploy(stack, later(now, 7 * 24 * HOUR), second, storage);
      expect(compare(second, third, 'resources')).toEqual({ changed: {}, added: [], removed: [] });
    });
  },
);

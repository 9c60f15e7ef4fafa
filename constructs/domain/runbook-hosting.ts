import { createHash } from 'node:crypto';
import { AUTOMATION_DEFAULTS, nameOr, type AutoUpdateAction } from './automation-defaults';
import { checkName, RUNBOOK_NAME } from './naming';
import type { ResourceRef, RuleSet } from './rules';
import { runbookAsset, type RunbookAsset } from './runbook-asset';

/** A runbook hosted by the user. */
export interface RunbookContentLinkProps<R = never> {
  /** An `https://` URI Automation can read at deploy time; a literal or a reference (checked when known, with Pulumi). */
  readonly uri: ResourceRef<R>;
  /** SHA-256 of the content, 64 hex characters. */
  readonly sha256: string;
}

/**
 * How the Pulumi adapter publishes the shipped runbook when no `runbookContentLink` is given
 * (docs/runbook-publishing.md):
 * - `'publish'`: the runbook's draft content is put and published through Resource Manager with the
 *   deployer's own credentials, as azurerm does; no storage account.
 * - `'storage'`: the runbook is uploaded to a storage account of the adapter's own and published
 *   from a read-only service SAS link; that account needs shared-key access and public network
 *   access, which common deny assignments refuse.
 *
 * cdktf and cdktn always upload the content inline through azurerm: the choice is validated there
 * too and means nothing else.
 */
export type RunbookHostingKind = 'publish' | 'storage';

/** The hostings {@link RunbookHostingKind} allows, the default first. */
export const RUNBOOK_HOSTINGS: readonly RunbookHostingKind[] = ['publish', 'storage'];

/** The private blob the Pulumi adapter uploads the runbook to, with `runbookHosting: 'storage'`. */
export interface RunbookStorageProps {
  /**
   * 3-24 lower-case letters and digits, globally unique.
   * @default `asrrb` and 19 hex characters of a hash of the vault's resource group, name and account name
   */
  readonly accountName?: string;
  /**
   * How long the read-only SAS link stays valid, 1-168 hours, from the hour the current runbook
   * content was first hosted (see {@link runbookLinkWindow}). The window is kept in state, so
   * later deploys of the same content reuse the same link; new content gets a new blob and a new window.
   * @default 48
   */
  readonly sasValidityInHours?: number;
}

/** Where the Pulumi adapter hosts the runbook with `runbookHosting: 'storage'` (engines that upload inline ignore it). */
export interface RunbookStorageSpec {
  readonly accountName: string;
  readonly containerName: string;
  /**
   * Content-addressed: the runbook's file name with the first 16 hex characters of its SHA-256,
   * so new content is a new blob (and a new link) and the same content is always the same blob.
   */
  readonly blobName: string;
  /** The first 16 hex characters (lower case) of the content's SHA-256: names what is content-specific. */
  readonly contentKey: string;
  readonly sasValidityInHours: number;
  /**
   * Where the link's window starts when this content is hosted for the first time: the clock
   * rounded down to the hour (RFC 3339, UTC). Engines record it in state when they create the
   * content's blob and reuse the recorded value afterwards; {@link runbookLinkWindow} turns it into the window.
   */
  readonly linkAnchor: string;
  /** The account's fixed, secure settings. */
  readonly accountKind: 'StorageV2';
  readonly skuName: 'Standard_LRS';
  readonly minimumTlsVersion: 'TLS1_2';
  readonly httpsTrafficOnly: true;
  readonly blobPublicAccessAllowed: false;
  readonly containerPublicAccess: 'None';
  /** A service SAS is signed with the account key, so shared-key access stays on. */
  readonly sharedKeyAccessEnabled: true;
  /** Automation fetches the link from its own service, over the public endpoint. */
  readonly publicNetworkAccessEnabled: true;
  /** A service SAS: read-only, HTTPS only. */
  readonly sasPermissions: 'r';
  readonly sasProtocols: 'https';
}

/** The runbook: its name, content, description and where it is published from. */
export interface RunbookSpec<R = never> {
  readonly name: string;
  readonly asset: RunbookAsset;
  readonly description: string;
  readonly logVerbose: boolean;
  readonly logProgress: boolean;
  /** Set when the user hosts the runbook; both engines then publish from this link. */
  readonly contentLink?: { readonly uri: ResourceRef<R>; readonly sha256: string };
  /**
   * How engines that cannot upload content inline (Pulumi) publish the shipped runbook when there is
   * no `contentLink`: through Resource Manager (`'publish'`) or from a storage account (`'storage'`).
   */
  readonly hosting: RunbookHostingKind;
  /** Present only with `hosting: 'storage'`: the account, container and blob. */
  readonly storage?: RunbookStorageSpec;
}

/** Which vaults a runbook's jobs keep current, as its description says it. */
export type RunbookCoverage =
  | { readonly kind: 'vault'; readonly vaultName: string }
  | { readonly kind: 'fleet'; readonly listedVaults: number; readonly discovery: boolean };

/** The runbook's description in the account: what it enforces, on which vaults, and which content. */
export function runbookDescription(
  action: AutoUpdateAction,
  coverage: RunbookCoverage,
  asset: Pick<RunbookAsset, 'version' | 'sha256'>,
): string {
  const vaults =
    coverage.kind === 'vault'
      ? `vault ${coverage.vaultName}`
      : coverage.discovery
        ? `the vaults it finds each night${coverage.listedVaults > 0 ? ` and ${coverage.listedVaults} listed vault(s)` : ''}`
        : `${coverage.listedVaults} existing vault(s)`;
  return `Keeps Site Recovery Mobility-service auto-update ${action.toLowerCase()} on every container mapping of ${vaults} (runbook ${asset.version}, sha256 ${asset.sha256}).`;
}

const HOUR_MS = 3600000;
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The first 16 hex characters (lower case) of a runbook's SHA-256. */
export function contentKey(asset: Pick<RunbookAsset, 'sha256'>): string {
  return asset.sha256.slice(0, 16).toLowerCase();
}

/** The blob a runbook is hosted in: `<name>-<contentKey><ext>`, one blob per content. */
export function contentAddressedBlobName(asset: Pick<RunbookAsset, 'sha256' | 'fileName'>): string {
  const dot = asset.fileName.lastIndexOf('.');
  const [base, ext] =
    dot > 0 ? [asset.fileName.slice(0, dot), asset.fileName.slice(dot)] : [asset.fileName, ''];
  return `${base}-${contentKey(asset)}${ext}`;
}

/** The anchor a runbook link's window starts at when content is first hosted: `now` rounded down to the hour. */
export function runbookLinkAnchor(now: Date): string {
  return rfc3339(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
}

/** The validity window of a hosted runbook's read-only link. */
export interface RunbookLinkWindow {
  /** RFC 3339, UTC: the recorded anchor, rounded down to the hour. */
  readonly start: string;
  /** RFC 3339, UTC: `start` plus the validity. */
  readonly expiry: string;
}

/**
 * The window of the read-only link to a hosted runbook, from the anchor recorded when the content
 * was first hosted. A pure function of its arguments: the same anchor gives the same window (and
 * so the same link) on every later deploy, whatever the clock says then. Automation reads the link
 * only when it publishes, which happens once per content, within the window.
 */
export function runbookLinkWindow(anchor: string, validityInHours: number): RunbookLinkWindow {
  const ms = Date.parse(anchor);
  if (Number.isNaN(ms))
    throw new RangeError(`runbook link anchor must be an RFC 3339 date-time, got ${JSON.stringify(anchor)}`);
  if (!Number.isInteger(validityInHours) || validityInHours < 1)
    throw new RangeError(`runbook link validity must be a whole number of hours, got ${validityInHours}`);
  const start = Math.floor(ms / HOUR_MS) * HOUR_MS;
  return { start: rfc3339(start), expiry: rfc3339(start + validityInHours * HOUR_MS) };
}

/** The runbook's name. */
export function resolveRunbookName(rules: RuleSet, value: unknown): string {
  return nameOr(
    checkName(
      rules,
      'runbookName',
      value,
      RUNBOOK_NAME,
      'a runbook name has 1-63 characters: letters, digits, - and _, starting with a letter',
    ),
    value,
    AUTOMATION_DEFAULTS.runbookName,
  );
}

/** `runbookContentLink`: a runbook the user hosts, or undefined for the shipped asset. */
export function resolveRunbookContentLink<R>(rules: RuleSet, value: unknown): RunbookSpec<R>['contentLink'] {
  const link = rules.object('runbookContentLink', value, ['uri', 'sha256']);
  if (link === undefined) return undefined;
  const uri = rules.ref('runbookContentLink.uri', link.uri ?? null, (r, prop, v) =>
    r.check(
      typeof v === 'string' && /^https:\/\/[^\s/]+\/\S+$/.test(v),
      prop,
      link.uri === undefined ? undefined : v,
      'must be an https:// URI of the runbook file',
    ),
  ) as ResourceRef<R> | undefined;
  const shaOk = rules.check(
    typeof link.sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(link.sha256),
    'runbookContentLink.sha256',
    link.sha256,
    'must be the SHA-256 of the content: 64 hex characters',
  );
  return uri !== undefined && shaOk ? { uri, sha256: (link.sha256 as string).toUpperCase() } : undefined;
}

/**
 * `runbookStorage`: where the Pulumi adapter hosts the shipped runbook. The default account name
 * is a hash of the automation's name key, so it is stable and globally unlikely to collide.
 */
export function resolveRunbookStorage(
  rules: RuleSet,
  value: unknown,
  nameKey: string,
  now: Date | undefined,
): RunbookStorageSpec {
  const props = rules.object('runbookStorage', value, ['accountName', 'sasValidityInHours']) ?? {};
  const accountName = nameOr(
    checkName(
      rules,
      'runbookStorage.accountName',
      props.accountName,
      /^[a-z0-9]{3,24}$/,
      'a storage account name has 3-24 lower-case letters and digits',
    ),
    props.accountName,
    `asrrb${createHash('sha256').update(nameKey).digest('hex').slice(0, 19)}`,
  );
  const sasValidityInHours =
    rules.integer('runbookStorage.sasValidityInHours', props.sasValidityInHours, 1, 168, 'hours') ??
    AUTOMATION_DEFAULTS.sasValidityInHours;
  const asset = runbookAsset();
  return {
    accountName,
    containerName: 'runbooks',
    blobName: contentAddressedBlobName(asset),
    contentKey: contentKey(asset),
    sasValidityInHours,
    // No spec is returned when the clock failed its check (a violation was recorded).
    linkAnchor: runbookLinkAnchor(now ?? new Date(0)),
    accountKind: 'StorageV2',
    skuName: 'Standard_LRS',
    minimumTlsVersion: 'TLS1_2',
    httpsTrafficOnly: true,
    blobPublicAccessAllowed: false,
    containerPublicAccess: 'None',
    sharedKeyAccessEnabled: true,
    publicNetworkAccessEnabled: true,
    sasPermissions: 'r',
    sasProtocols: 'https',
  };
}

/**
 * `runbookHosting` and `runbookStorage`: how the Pulumi adapter publishes the shipped runbook.
 * `runbookStorage` describes the storage hosting only, so it is refused with any other.
 */
export function resolveRunbookHosting(
  rules: RuleSet,
  hostingValue: unknown,
  storageValue: unknown,
  nameKey: string,
  now: Date | undefined,
): { readonly hosting: RunbookHostingKind; readonly storage?: RunbookStorageSpec } {
  const hosting =
    rules.choice(
      'runbookHosting',
      hostingValue,
      RUNBOOK_HOSTINGS,
      "must be 'publish' (draft content published through Resource Manager) or 'storage' (a storage account of the adapter's own)",
    ) ?? AUTOMATION_DEFAULTS.runbookHosting;
  if (hosting !== 'storage') {
    rules.check(
      storageValue === undefined,
      'runbookStorage',
      storageValue,
      "describes the storage hosting: give it only with runbookHosting: 'storage'",
    );
    return { hosting };
  }
  return { hosting, storage: resolveRunbookStorage(rules, storageValue, nameKey, now) };
}

/** The runbook's spec from its parts: the shipped asset, described for what it covers. */
export function runbookSpec<R>(
  name: string,
  action: AutoUpdateAction,
  coverage: RunbookCoverage,
  contentLink: RunbookSpec<R>['contentLink'],
  hosting: { readonly hosting: RunbookHostingKind; readonly storage?: RunbookStorageSpec },
): RunbookSpec<R> {
  const asset = runbookAsset();
  return {
    name,
    asset,
    description: runbookDescription(action, coverage, asset),
    logVerbose: true,
    logProgress: false,
    contentLink,
    hosting: hosting.hosting,
    ...(hosting.storage ? { storage: hosting.storage } : {}),
  };
}

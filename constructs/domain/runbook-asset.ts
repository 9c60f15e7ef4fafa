import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The runbook that enforces Mobility-service auto-update, as the adapters embed or upload it. */
export interface RunbookAsset {
  /** The file name, also the default runbook name without its extension. */
  readonly fileName: string;
  /** The script, exactly as shipped (LF line endings, UTF-8). */
  readonly content: string;
  /** SHA-256 of the UTF-8 bytes of `content`, upper-case hex, as Azure Automation expects a content hash. */
  readonly sha256: string;
  /** The `$RunbookVersion` the script declares; it appears in every summary the runbook writes. */
  readonly version: string;
}

export const RUNBOOK_FILE_NAME = 'Set-AsrMobilityAutoUpdate.ps1';

/** Where the runbook lives on disk, next to the compiled or source domain folder. */
export function runbookPath(): string {
  return join(__dirname, '..', 'runbooks', RUNBOOK_FILE_NAME);
}

/** Builds an asset from script text: hash and version are derived, never written by hand. */
export function runbookAssetFromContent(content: string, fileName: string = RUNBOOK_FILE_NAME): RunbookAsset {
  const match = /^\$RunbookVersion\s*=\s*'(\d+\.\d+\.\d+)'\s*$/m.exec(content);
  if (!match) throw new Error(`${fileName}: no line of the form $RunbookVersion = 'x.y.z'`);
  return {
    fileName,
    content,
    sha256: createHash('sha256').update(content, 'utf8').digest('hex').toUpperCase(),
    version: match[1]!,
  };
}

let cached: RunbookAsset | undefined;

/** The shipped runbook, read once. */
export function runbookAsset(): RunbookAsset {
  cached ??= runbookAssetFromContent(readFileSync(runbookPath(), 'utf8'));
  return cached;
}

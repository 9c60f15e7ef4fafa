import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runbookAsset, runbookAssetFromContent, runbookPath } from '../../constructs/domain/internal';

describe('runbook asset', () => {
  const onDisk = readFileSync(runbookPath(), 'utf8');

  it('is the shipped script, byte for byte, with its SHA-256', () => {
    const asset = runbookAsset();
    expect(asset.content).toBe(onDisk);
    expect(asset.sha256).toBe(
      createHash('sha256').update(Buffer.from(onDisk, 'utf8')).digest('hex').toUpperCase(),
    );
    expect(asset.sha256).toMatch(/^[0-9A-F]{64}$/);
    expect(asset.fileName).toBe('Set-AsrMobilityAutoUpdate.ps1');
  });

  it('has LF line endings, so the hash is the same on every platform', () => {
    expect(onDisk.includes('\r')).toBe(false);
  });

  it('reads the version from the script', () => {
    expect(runbookAssetFromContent("# x\n$RunbookVersion = '2.3.4'\n").version).toBe('2.3.4');
    expect(runbookAsset().version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('changes its hash when the content changes', () => {
    expect(runbookAssetFromContent(`${onDisk}\n`).sha256).not.toBe(runbookAsset().sha256);
  });

  it('fails when the script declares no version', () => {
    expect(() => runbookAssetFromContent('Write-Output 1')).toThrow(/\$RunbookVersion/);
  });
});

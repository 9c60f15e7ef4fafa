import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** How to start PowerShell: a command and the arguments that come before pwsh's own. */
export interface Pwsh {
  readonly command: string;
  readonly prefixArgs: readonly string[];
  /** Where it was found: the PWSH variable, PATH, or the repository's local dotnet tool. */
  readonly source: 'PWSH' | 'PATH' | 'dotnet tool';
  /** `$PSVersionTable.PSVersion`, for example 7.6.9. */
  readonly version: string;
}

export type PwshLookup =
  { readonly found: true; readonly pwsh: Pwsh } | { readonly found: false; readonly missing: string };

const root = join(__dirname, '..', '..');

/** Searches PATH the way a shell does, without running anything. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Asks a candidate for its version; undefined when it does not run as PowerShell. */
function versionOf(command: string, prefixArgs: readonly string[]): string | undefined {
  const r = spawnSync(
    command,
    [...prefixArgs, '-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.ToString()'],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: pwshEnv(process.env),
    },
  );
  const out = r.status === 0 ? r.stdout.trim().split('\n').pop()?.trim() : undefined;
  return out && /^\d+\.\d+\.\d+/.test(out) ? out : undefined;
}

/** The environment pwsh runs in: no telemetry, no update check, no first-run banner. */
export function pwshEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    POWERSHELL_UPDATECHECK: 'Off',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
  };
}

/**
 * Finds PowerShell, in this order: `PWSH` (a path), `pwsh` on PATH, then the local tool pinned in
 * `.config/dotnet-tools.json` (restored on demand when `dotnet` exists, run as `dotnet tool run pwsh`).
 */
export function locatePwsh(env: NodeJS.ProcessEnv = process.env): PwshLookup {
  const tried: string[] = [];
  const fromEnv = env.PWSH;
  if (fromEnv) {
    if (!isAbsolute(fromEnv) || !existsSync(fromEnv)) tried.push(`PWSH=${fromEnv} (no such file)`);
    else {
      const version = versionOf(fromEnv, []);
      if (version)
        return { found: true, pwsh: { command: fromEnv, prefixArgs: [], source: 'PWSH', version } };
      tried.push(`PWSH=${fromEnv} (does not run)`);
    }
  } else tried.push('PWSH unset');

  const path = onPath('pwsh', env);
  if (path) {
    const version = versionOf(path, []);
    if (version) return { found: true, pwsh: { command: path, prefixArgs: [], source: 'PATH', version } };
    tried.push(`${path} (does not run)`);
  } else tried.push('no pwsh on PATH');

  const dotnet = onPath('dotnet', env);
  if (!dotnet) {
    tried.push('no dotnet on PATH for the local tool');
    return { found: false, missing: tried.join('; ') };
  }
  const prefixArgs = ['tool', 'run', 'pwsh', '--'];
  let version = versionOf(dotnet, prefixArgs);
  if (!version) {
    const restore = spawnSync(dotnet, ['tool', 'restore'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
      env: pwshEnv(env),
    });
    if (restore.status !== 0) {
      const why = `${restore.stderr ?? ''}${restore.stdout ?? ''}`.trim().split('\n').pop() ?? '';
      tried.push(`dotnet tool restore failed (${why})`);
      return { found: false, missing: tried.join('; ') };
    }
    version = versionOf(dotnet, prefixArgs);
  }
  if (version) return { found: true, pwsh: { command: dotnet, prefixArgs, source: 'dotnet tool', version } };
  tried.push('the local tool (dotnet tool run pwsh) does not run');
  return { found: false, missing: tried.join('; ') };
}

/** The version the repository pins in its local tool manifest. */
export function pinnedPwshVersion(): string {
  const manifest = JSON.parse(readFileSync(join(root, '.config', 'dotnet-tools.json'), 'utf8')) as {
    tools: Record<string, { version: string }>;
  };
  return manifest.tools.powershell!.version;
}

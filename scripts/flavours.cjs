// The Terraform flavours of the one adapter source (constructs/cdktf): CDK for Terraform, as written,
// and CDK Terrain, the same code with its module specifiers mapped. This table is the only place
// that knows the mapping; scripts/build.mjs (dist/cdktn), jest.config.js (the cdktn test project),
// scripts/ts-run.js (stacks under `cdktn synth`, `npm run synth`, the bench) and tsconfig.cdktn.json
// (type-check against the cdktn bindings) all apply it.
'use strict';

/** @typedef {'cdktf' | 'cdktn'} Flavour */

/** @type {readonly Flavour[]} */
const FLAVOURS = ['cdktf', 'cdktn'];

/**
 * Package prefixes the source imports, and what each becomes in the cdktn flavour. A specifier is
 * mapped when it equals a package name or starts with `<name>/` (deep imports only).
 */
const PACKAGES = [
  { cdktf: 'cdktf', cdktn: 'cdktn' },
  { cdktf: '@cdktf/provider-azurerm', cdktn: '@cdktn/provider-azurerm' },
];

/**
 * The flavour module: the one file whose content differs between the flavours. The adapter imports
 * `./flavour`; the cdktn flavour loads `./flavour.cdktn` in its place (see constructs/cdktf/flavour-contract.ts).
 */
const FLAVOUR_MODULE = { specifier: './flavour', cdktn: './flavour.cdktn' };

/**
 * `specifier` as the given flavour imports it, or undefined when the flavour leaves it alone.
 * @param {string} specifier
 * @param {Flavour} flavour
 * @returns {string | undefined}
 */
function mapSpecifier(specifier, flavour) {
  if (flavour === 'cdktf') return undefined;
  if (specifier === FLAVOUR_MODULE.specifier) return FLAVOUR_MODULE.cdktn;
  for (const p of PACKAGES) {
    if (specifier === p.cdktf) return p.cdktn;
    if (specifier.startsWith(`${p.cdktf}/`)) return p.cdktn + specifier.slice(p.cdktf.length);
  }
  return undefined;
}

/** `require("x")`, `from "x"`, `import("x")`: a module specifier in compiled JS or a declaration file. */
const SPECIFIER = /(\brequire\(|\bfrom\s+|\bimport\()(["'])([^"'\n]+)\2/g;

/**
 * Every module specifier of a compiled file.
 * @param {string} code
 * @returns {string[]}
 */
function moduleSpecifiers(code) {
  return [...code.matchAll(SPECIFIER)].map((m) => m[3]);
}

/**
 * Rewrites every module specifier of a compiled file for the flavour.
 * @param {string} code
 * @param {Flavour} flavour
 * @returns {string}
 */
function rewriteSpecifiers(code, flavour) {
  return code.replace(SPECIFIER, (whole, lead, quote, spec) => {
    const mapped = mapSpecifier(spec, flavour);
    return mapped === undefined ? whole : `${lead}${quote}${mapped}${quote}`;
  });
}

/**
 * Whether `specifier` belongs to the other flavour than `flavour` (a package, or the other flavour module).
 * @param {string} specifier
 * @param {Flavour} flavour
 * @returns {boolean}
 */
function isForeign(specifier, flavour) {
  const other = flavour === 'cdktf' ? 'cdktn' : 'cdktf';
  const module = other === 'cdktn' ? FLAVOUR_MODULE.cdktn : FLAVOUR_MODULE.specifier;
  return (
    specifier === module ||
    PACKAGES.some((p) => specifier === p[other] || specifier.startsWith(`${p[other]}/`))
  );
}

/**
 * jest's moduleNameMapper for a flavour: the same mapping, applied in-process.
 * @param {Flavour} flavour
 * @param {string} rootDir
 * @returns {Record<string, string>}
 */
function jestModuleNameMapper(flavour, rootDir) {
  if (flavour === 'cdktf') return {};
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  /** @type {Record<string, string>} */
  const map = {
    [`^${escape(FLAVOUR_MODULE.specifier)}$`]: `${rootDir}/constructs/cdktf/${FLAVOUR_MODULE.cdktn.slice(2)}.ts`,
  };
  for (const p of PACKAGES) {
    map[`^${escape(p.cdktf)}$`] = p.cdktn;
    map[`^${escape(p.cdktf)}/(.*)$`] = `${p.cdktn}/$1`;
  }
  return map;
}

/**
 * Which flavour a Terraform app run should use: `ASR_TERRAFORM_FLAVOUR` when set, else the CLI that
 * launched it (`cdktn synth` runs the cdktn flavour), found among the command lines of its parent
 * processes; else cdktf.
 * @param {NodeJS.ProcessEnv} env
 * @param {readonly string[]} parentCommandLines nearest parent first
 * @returns {Flavour}
 */
function selectFlavour(env, parentCommandLines) {
  const asked = env.ASR_TERRAFORM_FLAVOUR;
  if (asked !== undefined && asked !== '') {
    if (!FLAVOURS.includes(/** @type {Flavour} */ (asked)))
      throw new Error(`ASR_TERRAFORM_FLAVOUR: received "${asked}"; must be one of ${FLAVOURS.join(', ')}`);
    return /** @type {Flavour} */ (asked);
  }
  // The CLI's own command line: `.../bin/cdktn synth`, `.../bundle/bin/cdktn.js`, `npm exec cdktn synth`.
  const cli = /(?:^|\s|[\\/]\.?bin[\\/])(cdktn|cdktf)(?:\.js)?(?=\s|$)/;
  for (const line of parentCommandLines) {
    const m = cli.exec(line);
    if (m) return /** @type {Flavour} */ (m[1]);
  }
  return 'cdktf';
}

/**
 * The command lines of this process's parents, nearest first (Linux /proc; elsewhere `ps`).
 * At most `depth` levels; an unreadable level ends the walk.
 * @param {number} [depth]
 * @returns {string[]}
 */
function parentCommandLines(depth = 4) {
  const { readFileSync } = require('node:fs');
  const { execFileSync } = require('node:child_process');
  const lines = [];
  let pid = process.ppid;
  for (let i = 0; i < depth && pid > 1; i++) {
    try {
      if (process.platform === 'linux') {
        lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      } else {
        const out = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
        const m = /^(\d+)\s+(.*)$/.exec(out);
        if (!m) break;
        lines.push(m[2]);
        pid = Number(m[1]);
      }
    } catch {
      break;
    }
  }
  return lines;
}

module.exports = {
  FLAVOURS,
  PACKAGES,
  FLAVOUR_MODULE,
  mapSpecifier,
  moduleSpecifiers,
  rewriteSpecifiers,
  isForeign,
  jestModuleNameMapper,
  selectFlavour,
  parentCommandLines,
};

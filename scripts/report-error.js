// How every entry point (the cdktf app, the Pulumi program, `npm run synth`, scripts run through
// scripts/ts-run.js) turns an error into output: a configuration mistake reads like a message,
// anything else keeps its stack so that a bug can be found.
'use strict';

/** Policy rule ids as they appear in a violated rule's text, for example `ASR-E01`. */
const RULE_ID = /\bASR-[EW]\d{2}\b/g;

/**
 * A mistake in the input: the domain's `ValidationError` (every violated rule, in user terms), the
 * stack loaders' `ConfigError` (every problem reading the configuration: a missing file, text that
 * is not JSON, an unknown key, a value of the wrong type), or an error the Pulumi program already
 * turned into a `pulumi.RunError` (shown without a stack). Matched by shape, so that a second copy
 * of the library (source and dist) is recognised too.
 * @param {unknown} error
 * @returns {boolean}
 */
function isUserError(error) {
  if (!(error instanceof Error)) return false;
  const e = /** @type {Error & { violations?: unknown; problems?: unknown; __pulumiRunError?: unknown }} */ (
    error
  );
  return (
    (e.name === 'ValidationError' && Array.isArray(e.violations)) ||
    (e.name === 'ConfigError' && Array.isArray(e.problems)) ||
    e.__pulumiRunError === true
  );
}

/**
 * The text to print for an error: a user error's message, then the policy rule ids it names
 * (documented in docs/policy-rules.md); any other error's stack.
 * @param {unknown} error
 * @returns {string}
 */
function formatEntryPointError(error) {
  if (isUserError(error)) {
    const e = /** @type {Error & { violations?: { rule?: unknown }[] }} */ (error);
    const ids = new Set();
    for (const v of Array.isArray(e.violations) ? e.violations : [])
      for (const id of String(v?.rule ?? '').match(RULE_ID) ?? []) ids.add(id);
    const rules = ids.size > 0 ? `\nrule ids: ${[...ids].join(', ')} (docs/policy-rules.md)` : '';
    return `${e.message}${rules}`;
  }
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Prints an error for a command-line entry point and returns the exit code to use (1).
 * @param {unknown} error
 * @param {(text: string) => void} [write] where to print; standard error by default
 * @returns {1}
 */
function reportEntryPointError(error, write = (text) => process.stderr.write(text)) {
  write(`${formatEntryPointError(error)}\n`);
  return 1;
}

module.exports = { isUserError, formatEntryPointError, reportEntryPointError };

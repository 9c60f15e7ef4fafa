/** One violated rule: which prop, what was received, and what is allowed. */
export interface Violation {
  /** Dotted path of the prop, as the user wrote it (for example `automation.schedule.timeZone`). */
  readonly prop: string;
  /** The value received. */
  readonly value: unknown;
  /** The rule, in user terms. */
  readonly rule: string;
}

/** Stands in a violation for a value known only at deploy time: its token text is never shown. */
export const DEPLOY_TIME_VALUE: unique symbol = Symbol('a reference known only at deploy time');

/** Renders a received value for an error message: short, quoted, never a secret or token text. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === DEPLOY_TIME_VALUE) return 'a reference (known only at deploy)';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) =>
      v === DEPLOY_TIME_VALUE ? '<reference known only at deploy>' : v,
    );
  } catch {
    text = undefined;
  }
  if (text === undefined) text = Object.prototype.toString.call(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * Thrown before anything is synthesized when props break one or more rules.
 * It lists every violation at once, so a user fixes them in one pass.
 */
export class ValidationError extends Error {
  readonly violations: readonly Violation[];

  constructor(component: string, violations: readonly Violation[]) {
    const lines = violations.map((v) => `  - ${v.prop}: received ${describeValue(v.value)}; ${v.rule}`);
    const noun = violations.length === 1 ? 'invalid prop' : 'invalid props';
    super(`${component}: ${violations.length} ${noun}:\n${lines.join('\n')}`);
    this.name = 'ValidationError';
    this.violations = violations;
  }
}

import { DEPLOY_TIME_VALUE, ValidationError, type Violation } from './errors';

/**
 * A value that names or points at another Azure resource: a literal string, or the engine's own
 * reference `R` (a token string in the Terraform adapter, so `R` stays `never` there;
 * `pulumi.Input<string>` in the Pulumi adapter).
 */
export type ResourceRef<R = never> = string | R;

/**
 * How an adapter tells the domain which values are known only at deploy time (engine references).
 * The domain never imports an engine: this predicate is all it learns about references.
 */
export interface DeployTimeValues {
  /** Whether `value` is known only at deploy time (a cdktf/cdktn token, a Pulumi Output or Promise). */
  isDeployTime(value: unknown): boolean;
  /**
   * Where the engine can: `value` guarded so that `check` runs on it once it is known (and fails the
   * deployment with the same `ValidationError` text). Returns the value to carry instead of `value`.
   * @default the value is carried as it is, unchecked
   */
  whenKnown?(value: unknown, check: (known: unknown) => void): unknown;
}

/** No value is a reference: every prop is a literal (the domain on its own, and its tests). */
export const LITERALS_ONLY: DeployTimeValues = Object.freeze({ isDeployTime: () => false });

/** Props read from user input: every value is unknown until a rule has checked it. */
export type UncheckedProps = Readonly<Record<string, unknown>>;

/** A plain object (not null, not an array, not a function). */
export function isPlainObject(value: unknown): value is UncheckedProps {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of an object's own enumerable props without a prototype, so that reading a prop the user
 * did not give (`constructor`, `toString`, `__proto__`) finds nothing instead of Object.prototype's.
 */
function ownProps(value: UncheckedProps): UncheckedProps {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = value[key];
  return copy;
}

const NO_PROPS: UncheckedProps = Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * Collects violations for one component so that every broken rule is reported in one error.
 * Values that are unknown until deploy (engine tokens) are never passed here: only literals are validated.
 */
export class RuleSet {
  constructor(
    private readonly prefix = '',
    private readonly found: Violation[] = [],
    /** Paths of components whose props were missing or not an object: what lies under them is not reported again. */
    private readonly broken: Set<string> = new Set(),
    /** Which values are known only at deploy time: their value checks are skipped (or deferred). */
    readonly deployTime: DeployTimeValues = LITERALS_ONLY,
    /** The component named in a deferred check's error. */
    private readonly component = 'props',
  ) {}

  /** A rule set for `component` that knows the adapter's deploy-time values. */
  static for(component: string, deployTime: DeployTimeValues = LITERALS_ONLY): RuleSet {
    return new RuleSet('', [], new Set(), deployTime, component);
  }

  /** A rule set whose props are reported under `prefix.` and whose violations join this one's. */
  child(prefix: string): RuleSet {
    return new RuleSet(this.path(prefix), this.found, this.broken, this.deployTime, this.component);
  }

  /** Whether `value` is known only at deploy time. */
  isDeployTime(value: unknown): boolean {
    return value !== undefined && value !== null && this.deployTime.isDeployTime(value);
  }

  /**
   * A prop that needs a literal known at synthesis: a deploy-time reference is refused with `reason`.
   * Returns whether the value is not a reference (an absent value passes).
   */
  literal(prop: string, value: unknown, reason: string): boolean {
    return this.check(
      !this.isDeployTime(value),
      prop,
      value,
      `must be a literal known at synthesis, not a reference: ${reason}`,
    );
  }

  /**
   * A prop that names or points at another Azure resource. A literal is checked by `check` now; a
   * deploy-time reference skips it (or is checked once known, where the engine can) and is carried
   * through untouched. Returns the value to carry, or undefined when it is absent or a literal
   * broke the rule. `check` is the prop's one value check, used for literals and deferred alike.
   */
  ref(
    prop: string,
    value: unknown,
    check: (rules: RuleSet, prop: string, value: unknown) => boolean,
  ): unknown {
    if (value === undefined) return undefined;
    if (!this.isDeployTime(value)) return check(this, prop, value) ? value : undefined;
    const whenKnown = this.deployTime.whenKnown;
    if (!whenKnown) return value;
    const path = this.path(prop);
    const component = this.component;
    return whenKnown(value, (known) => {
      const later = new RuleSet();
      check(later, path, known);
      later.throwIfAny(component);
    });
  }

  /** What a violation shows of a value: a deploy-time reference is never rendered as its token text. */
  private shown(value: unknown, depth = 0): unknown {
    if (this.isDeployTime(value)) return DEPLOY_TIME_VALUE;
    if (depth > 4) return value;
    if (Array.isArray(value)) return value.map((v) => this.shown(v, depth + 1));
    if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
      const copy: Record<string, unknown> = {};
      for (const k of Object.keys(value)) copy[k] = this.shown(value[k], depth + 1);
      return copy;
    }
    return value;
  }

  private underBroken(path: string): boolean {
    for (const b of this.broken)
      if (b === '' || path.startsWith(`${b}.`) || path.startsWith(`${b}[`)) return true;
    return false;
  }

  private path(prop: string): string {
    if (!prop) return this.prefix || 'props';
    return this.prefix ? `${this.prefix}.${prop}` : prop;
  }

  /** Records a violation of `rule` unless `ok` holds. Returns `ok`. */
  check(ok: boolean, prop: string, value: unknown, rule: string): boolean {
    if (!ok) {
      const path = this.path(prop);
      if (this.underBroken(path)) return ok;
      if (this.isDeployTime(value)) {
        // A reference where a literal is needed: reported once, with the reason, never as token text.
        if (this.found.some((v) => v.prop === path)) return ok;
        const literal = rule.startsWith('must be a literal known at synthesis');
        this.found.push({
          prop: path,
          value: DEPLOY_TIME_VALUE,
          rule: literal ? rule : `must be a literal known at synthesis, not a reference: ${rule}`,
        });
      } else this.found.push({ prop: path, value: this.shown(value), rule });
    }
    return ok;
  }

  /**
   * Rejects props this library does not know, so that a misspelt setting (often from JSON config)
   * never silently falls back to its default.
   */
  knownKeys(prop: string, value: unknown, allowed: readonly string[]): boolean {
    if (!isPlainObject(value)) return true;
    let ok = true;
    for (const key of Object.keys(value)) {
      ok =
        this.check(
          allowed.includes(key),
          prop ? `${prop}.${key}` : key,
          value[key],
          `is not a known prop; allowed: ${allowed.join(', ')}`,
        ) && ok;
    }
    return ok;
  }

  /**
   * An optional object of props. Returns its own props (unknown ones reported), or undefined when
   * it is absent or not an object; a value that is not an object is reported and never read.
   */
  object(
    prop: string,
    value: unknown,
    allowed: readonly string[],
    what = 'an object of props',
  ): UncheckedProps | undefined {
    if (value === undefined) return undefined;
    if (!this.check(isPlainObject(value), prop, value, `must be ${what}`)) return undefined;
    this.knownKeys(prop, value, allowed);
    return ownProps(value as UncheckedProps);
  }

  /**
   * The props of a component: {@link object}, or no props at all when they are missing or not an
   * object. Then that one violation stands for the component: the rules of the props it lacks are
   * not reported one by one.
   */
  props(value: unknown, allowed: readonly string[], prop = ''): UncheckedProps {
    const given =
      value === undefined
        ? this.check(false, prop, value, `is required: an object of props (${allowed.join(', ')})`) &&
          undefined
        : this.object(prop, value, allowed);
    if (given) return given;
    this.broken.add(prop ? this.path(prop) : this.prefix);
    return NO_PROPS;
  }

  /** An optional list. Returns it, or undefined when it is absent or not a list (reported). */
  list(prop: string, value: unknown, what: string): readonly unknown[] | undefined {
    if (value === undefined) return undefined;
    return this.check(Array.isArray(value), prop, value, `must be a list of ${what}`)
      ? (value as readonly unknown[])
      : undefined;
  }

  /** An optional boolean: the value when it is one, else undefined (reported unless absent). */
  bool(prop: string, value: unknown): boolean | undefined {
    return this.boolean(prop, value) ? (value as boolean | undefined) : undefined;
  }

  /** An optional choice: the value when it is allowed, else undefined (reported unless absent). */
  choice<T extends string>(
    prop: string,
    value: unknown,
    allowed: readonly T[],
    rule?: string,
  ): T | undefined {
    return this.oneOf(prop, value, allowed, rule) ? value : undefined;
  }

  /** An optional integer in [min, max]: the value when it is one, else undefined (reported unless absent). */
  integer(prop: string, value: unknown, min: number, max: number, unit = ''): number | undefined {
    return this.integerInRange(prop, value, min, max, unit) ? (value as number | undefined) : undefined;
  }

  /** Two optional props that must be given together or not at all. Returns whether both are given. */
  together(propA: string, valueA: unknown, propB: string, valueB: unknown): boolean {
    const a = valueA !== undefined;
    const b = valueB !== undefined;
    this.check(
      a === b,
      a ? propB : propA,
      undefined,
      `${propA} and ${propB} go together: give both or neither`,
    );
    return a && b;
  }

  /** A required non-empty string. */
  required(prop: string, value: unknown): value is string {
    return this.check(
      typeof value === 'string' && value.trim().length > 0,
      prop,
      value,
      'is required (a non-empty string)',
    );
  }

  /** An optional value that, when given, must be one of `allowed` (`rule` says so in other words). */
  oneOf<T extends string>(
    prop: string,
    value: unknown,
    allowed: readonly T[],
    rule = `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
  ): value is T | undefined {
    return this.check(
      value === undefined || (typeof value === 'string' && (allowed as readonly string[]).includes(value)),
      prop,
      value,
      rule,
    );
  }

  /** An optional integer that, when given, must lie in [min, max]. */
  integerInRange(prop: string, value: unknown, min: number, max: number, unit = ''): boolean {
    const suffix = unit ? ` ${unit}` : '';
    return this.check(
      value === undefined ||
        (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max),
      prop,
      value,
      `must be an integer from ${min} to ${max}${suffix}`,
    );
  }

  /** An optional boolean. */
  boolean(prop: string, value: unknown): boolean {
    return this.check(
      value === undefined || typeof value === 'boolean',
      prop,
      value,
      'must be true or false',
    );
  }

  /** Tags: at most 50, names up to 512 characters without `<>%&\?/`, values up to 256 characters. */
  tags(prop: string, value: unknown): value is Readonly<Record<string, string>> | undefined {
    if (value === undefined) return true;
    if (!this.check(isPlainObject(value), prop, value, 'must be an object of string values')) {
      return false;
    }
    const entries = Object.entries(value as UncheckedProps);
    let ok = this.check(
      entries.length <= 50,
      prop,
      `${entries.length} tags`,
      'Azure allows at most 50 tags on a resource',
    );
    for (const [k, v] of entries) {
      ok =
        this.check(
          k.length >= 1 && k.length <= 512 && !/[<>%&\\?/]/.test(k),
          `${prop}.${k}`,
          k,
          'a tag name has 1-512 characters and none of < > % & \\ ? /',
        ) && ok;
      ok =
        this.check(
          typeof v === 'string' && v.length <= 256,
          `${prop}.${k}`,
          v,
          'a tag value is a string of at most 256 characters',
        ) && ok;
    }
    return ok;
  }

  /** The violations found so far. */
  get violations(): readonly Violation[] {
    return this.found;
  }

  /** Throws one {@link ValidationError} naming every violation, if there is any. */
  throwIfAny(component: string): void {
    if (this.found.length > 0) throw new ValidationError(component, this.found);
  }
}

/** Runs a domain resolver on its own and throws its one validation error, if any. */
export function resolveAlone<T>(
  component: string,
  resolve: (rules: RuleSet) => T,
  deployTime: DeployTimeValues = LITERALS_ONLY,
): T {
  const rules = RuleSet.for(component, deployTime);
  const spec = resolve(rules);
  rules.throwIfAny(component);
  return spec;
}

/** The domain props of a construct's props: the engine references (other constructs) removed. */
export function withoutRefs<T extends object, K extends keyof T>(props: T, ...refs: K[]): Omit<T, K> {
  // Props that are not an object reach the resolver as they are, which reports them.
  if (!isPlainObject(props)) return props;
  const copy: Partial<T> = { ...props };
  for (const r of refs) delete copy[r];
  return copy as Omit<T, K>;
}

/**
 * Checks a reference to another construct or component (a building block's `vault`, `automation`):
 * it must be a block of the engine's kind (`is`, the engine's brand). Returns whether it is.
 */
export function checkRef<C>(
  rules: RuleSet,
  prop: string,
  value: unknown,
  is: (value: unknown) => value is C,
  what: string,
  optional = false,
): value is C {
  return rules.check((optional && value === undefined) || is(value), prop, value, `must be ${what}`);
}

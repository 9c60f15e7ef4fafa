/**
 * The one path by which a scenario hands its building blocks the specs it has already validated
 * and checked. It is internal: no entry point exports it, so users always go through props.
 */
const handed = new WeakMap<object, unknown>();

/** Props for a building block that carry `spec` (validated by a scenario) next to the block's references. */
export function handOver<P>(spec: unknown, refs: object): P {
  const carrier = Object.freeze({ ...refs });
  handed.set(carrier, spec);
  return carrier as P;
}

/** The spec a scenario handed over with these props, if any. */
export function handedOver<S>(props: unknown): S | undefined {
  return typeof props === 'object' && props !== null ? (handed.get(props) as S | undefined) : undefined;
}

/** A mistake in the input: a `ValidationError`, a `ConfigError`, or a `pulumi.RunError` made from one. */
export declare function isUserError(error: unknown): boolean;
/** A user error's message and policy rule ids; any other error's stack. */
export declare function formatEntryPointError(error: unknown): string;
/** Prints an error for a command-line entry point (standard error by default); returns the exit code, 1. */
export declare function reportEntryPointError(error: unknown, write?: (text: string) => void): 1;

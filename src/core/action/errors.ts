/**
 * A mistake in what the user gave the action (an input, a ledger they wrote, a missing permission).
 * It is reported as one line and exit code 1; anything else is a bug and gets a stack trace in the debug log.
 * Modelled on github/codeql-action's ConfigurationError.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(message: string) {
    super(message);
  }
}

/** A failure of something outside the action (registry, GitHub, network) after retries ran out. */
export class ExternalError extends Error {
  override readonly name = 'ExternalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isConfigurationError(e: unknown): e is ConfigurationError {
  return e instanceof ConfigurationError;
}

/** One line, no stack: what the user sees in the log and the annotation. */
export function oneLine(message: string): string {
  return message.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/**
 * A non-empty, one-line description of any thrown value: some HTTP errors carry no message at all, and an
 * empty `::error::` line tells the user nothing.
 */
export function describeError(error: unknown): string {
  const e = error as { message?: unknown; name?: unknown; status?: unknown };
  const message = typeof e?.message === 'string' ? oneLine(e.message) : '';
  if (message) return message;
  const status = typeof e?.status === 'number' ? ` (HTTP ${e.status})` : '';
  const name = typeof e?.name === 'string' && e.name ? e.name : 'Error';
  return `${name}${status} without a message${error instanceof Error ? '' : `: ${String(error)}`}`;
}

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

/** What domain code may say to the log. The glue passes @actions/core's functions; tests pass a recorder. */
export interface Logger {
  info(message: string): void;
  warning(message: string, where?: { file?: string; startLine?: number; title?: string }): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warning() {}, debug() {} };

/** A logger that keeps what it was told, for tests and for summaries. */
export function recordingLogger(): Logger & { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    info: (m) => void lines.push(m),
    warning: (m) => void warnings.push(m),
    debug: () => {},
  };
}

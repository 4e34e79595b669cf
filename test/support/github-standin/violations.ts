/**
 * Schema violations (requests and responses that break GitHub's OpenAPI description) and the stand-ins alive
 * in this process, so that test/setup.ts can fail the test during which a violation happened. Kept free of
 * Ajv and the description: the setup file loads it for every test file.
 */
export interface SchemaViolation {
  method: string;
  /** The path as sent (percent-encoded), with its query string. */
  path: string;
  /** The operation's id (`git/update-ref`), or null when no operation has this method and path. */
  operation: string | null;
  side: 'request' | 'response';
  /** The response status, for response violations. */
  status?: number;
  problems: string[];
}

export function formatViolation(v: SchemaViolation): string {
  const where = v.side === 'response' ? `response ${v.status}` : 'request';
  return `${v.method} ${v.path} [${v.operation ?? 'no such operation'}] ${where}: ${v.problems.join('; ')}`;
}

export function violationsError(list: SchemaViolation[]): Error {
  return new Error(`GitHub stand-in: ${list.length} request(s)/response(s) break GitHub's OpenAPI description:\n${list.map((v) => `  - ${formatViolation(v)}`).join('\n')}`);
}

interface Checked {
  takeSchemaViolations(): SchemaViolation[];
}

const live = new Set<Checked>();

export function registerLive(standin: Checked): () => void {
  live.add(standin);
  return () => live.delete(standin);
}

/** Takes (and forgets) the violations of every stand-in still running: the shared afterEach calls it. */
export function takeLiveViolations(): SchemaViolation[] {
  return [...live].flatMap((s) => s.takeSchemaViolations());
}

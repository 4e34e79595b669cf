// Reading Octokit's errors needs no Octokit: modules that only classify errors import these, so a bundle loads
// @actions/github (through load.ts) only on the paths that talk to GitHub.

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : undefined;
}

export function errorMessage(error: unknown): string {
  const e = error as { message?: string; response?: { data?: { message?: string } } };
  return e?.response?.data?.message ?? e?.message ?? String(error);
}

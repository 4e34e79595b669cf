import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup(): Promise<void>;
}

/** A fresh directory under the OS temp dir. Set GREENLINE_KEEP_TMP=1 to keep it for a post-mortem. */
export async function tempDir(prefix = 'greenline-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    cleanup: async () => {
      if (process.env.GREENLINE_KEEP_TMP === '1') return;
      await rm(path, { recursive: true, force: true });
    },
  };
}

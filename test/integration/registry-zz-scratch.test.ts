import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { pushFixture, startRegistry } from '../support/registry.js';
it('skopeo copies fixtures', async () => {
  const r = await startRegistry({ auth: 'token' });
  const lines: string[] = [];
  try {
    for (const kind of ['oci-index', 'docker-list', 'docker-manifest', 'oci-whitespace'] as const) {
      const f = await pushFixture(r, kind);
      try {
        const out = execFileSync('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false',
          `--src-creds=${r.username}:${r.password}`, `--dest-creds=${r.username}:${r.password}`,
          `docker://${r.host}/${f.repository}:${f.tag}`, `docker://${r.host}/${f.repository}:copied`], { encoding: 'utf8', stdio: 'pipe' });
        lines.push(`${kind}: ok ${out.split('\n').length} lines`);
      } catch (e) { lines.push(`${kind}: FAIL ${(e as {stderr?: string}).stderr}`); }
    }
  } finally { await r.stop(); writeFileSync('/tmp/skopeo-scratch.txt', lines.join('\n')); }
}, 120000);

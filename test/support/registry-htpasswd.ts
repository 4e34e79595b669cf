import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * One htpasswd line with a bcrypt hash, the only scheme distribution's htpasswd auth accepts. Neither
 * apache2-utils nor a node bcrypt is installed, and `openssl passwd` has no bcrypt; perl's crypt() goes through
 * libxcrypt, which does `$2y$`. Cost 5 keeps the registry's check fast. No shell: arguments go to execFile.
 */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  const salt = bcryptBase64(randomBytes(16));
  const { stdout } = await run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2y$05$${salt}`]);
  if (!/^\$2y\$05\$[./A-Za-z0-9]{53}$/.test(stdout)) {
    throw new Error(`perl crypt() did not produce a bcrypt hash (got ${JSON.stringify(stdout)}): libxcrypt is needed`);
  }
  return `${user}:${stdout}`;
}

/** bcrypt's base64: the standard bit order with its own alphabet and no padding (16 bytes → 22 characters). */
function bcryptBase64(bytes: Buffer): string {
  return [...bytes.toString('base64').replace(/=+$/, '')].map((c) => BCRYPT[STD.indexOf(c)]).join('');
}

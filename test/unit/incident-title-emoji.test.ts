import { describe, expect, it } from 'vitest';
import { MAX_TITLE, renderTitle } from '../../src/core/incident/title.js';

const values = { kind: 'failure', branch: 'main', service: 'shop', repo: 'acme/shop', owner: 'acme', workflow: 'ci', job: 'test', sha: 'abcdef0', fingerprint: 'fp' };
const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('renderTitle with emoji at the 256-character limit', () => {
  it.each([253, 254, 255, 256])('never ends in half an emoji (emoji at %i)', (at) => {
    const branch = `${'x'.repeat(at - '🔥 '.length - 1)}🔥🔥🔥 release`;
    const title = renderTitle('🔥 {branch}', { ...values, branch });
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE);
    expect(title).not.toMatch(lone);
    expect(Buffer.from(title, 'utf8').toString('utf8')).toBe(title); // round-trips as UTF-8
    expect(title.endsWith('…')).toBe(true);
  });
});

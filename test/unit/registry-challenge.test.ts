import { describe, expect, it } from 'vitest';
import { findChallenge, mergeScopes, parseChallenges } from '../../src/core/registry/challenge.js';

describe('parseChallenges', () => {
  it('reads the distribution Bearer challenge', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:owner/app:pull,push"');
    expect(c).toEqual({
      scheme: 'Bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:owner/app:pull,push' },
    });
  });

  it('keeps commas inside quoted values and reads insufficient_scope', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://x/token",service="x",scope="repository:a:pull,push repository:b:pull",error="insufficient_scope"',
    );
    expect(c?.params.scope).toBe('repository:a:pull,push repository:b:pull');
    expect(c?.params.error).toBe('insufficient_scope');
  });

  it('tolerates spaces around = and commas, case in names, and backslash escapes', () => {
    const [c] = parseChallenges('bearer  Realm = "https://x/t" ,  SERVICE="a \\"quoted\\" name" , scope=""');
    expect(c?.scheme).toBe('bearer');
    expect(c?.params).toEqual({ realm: 'https://x/t', service: 'a "quoted" name', scope: '' });
  });

  it('reads unquoted values, including bare URLs', () => {
    const [c] = parseChallenges('Bearer realm=https://auth.docker.io/token,service=registry.docker.io');
    expect(c?.params).toEqual({ realm: 'https://auth.docker.io/token', service: 'registry.docker.io' });
  });

  it('splits several challenges in one header', () => {
    const all = parseChallenges('Basic realm="Registry Realm", Bearer realm="https://x/token",service="x", Negotiate abc==');
    expect(all.map((c) => c.scheme)).toEqual(['Basic', 'Bearer', 'Negotiate']);
    expect(all[0]?.params).toEqual({ realm: 'Registry Realm' });
    expect(all[1]?.params).toEqual({ realm: 'https://x/token', service: 'x' });
    expect(all[2]?.token68).toBe('abc==');
    expect(findChallenge(all, 'BEARER')?.params.service).toBe('x');
  });

  it('reads a scheme without parameters', () => {
    expect(parseChallenges('Basic')).toEqual([{ scheme: 'Basic', params: {} }]);
  });

  it('returns nothing for a missing or empty header and survives garbage', () => {
    expect(parseChallenges(null)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('"unterminated')).toEqual([]);
    expect(findChallenge(parseChallenges('=,= Bearer realm="r"'), 'bearer')?.params.realm).toBe('r');
    expect(parseChallenges('Bearer realm="never closed')[0]?.params.realm).toBe('never closed');
  });
});

describe('mergeScopes', () => {
  it('merges actions per resource, keeping the order first asked', () => {
    expect(mergeScopes(['repository:owner/app:pull,push'], ['repository:owner/app:pull', 'repository:other:pull'])).toEqual([
      'repository:owner/app:pull,push',
      'repository:other:pull',
    ]);
    expect(mergeScopes(['repository:a:pull'], ['repository:a:push,delete'])).toEqual(['repository:a:pull,push,delete']);
  });

  it('keeps a resource with a class and drops malformed scopes', () => {
    expect(mergeScopes(['repository(plugin):x:pull', 'nonsense'])).toEqual(['repository(plugin):x:pull']);
  });
});

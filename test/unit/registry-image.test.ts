import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { isLoopbackHost, lowercaseRepository, parseImage, registryBaseUrl } from '../../src/core/registry/image.js';
import { parseReference, parseTag } from '../../src/core/registry/reference.js';

describe('parseImage', () => {
  it.each([
    ['ghcr.io/owner/app', 'ghcr.io', 'owner/app'],
    ['ghcr.io/owner/team/app', 'ghcr.io', 'owner/team/app'],
    ['localhost:5000/app', 'localhost:5000', 'app'],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000', 'a/b'],
    ['[::1]:5000/app', '[::1]:5000', 'app'],
    ['GHCR.IO/owner/app', 'ghcr.io', 'owner/app'],
    ['  ghcr.io/owner/my-app_2.x  ', 'ghcr.io', 'owner/my-app_2.x'],
    ['registry.example:443/a__b/c--d', 'registry.example:443', 'a__b/c--d'],
    ['nginx', 'registry-1.docker.io', 'library/nginx'],
    ['user/app', 'registry-1.docker.io', 'user/app'],
    ['docker.io/user/app', 'registry-1.docker.io', 'user/app'],
  ])('%s → %s + %s', (text, registry, repository) => {
    expect(parseImage(text)).toEqual({ registry, repository });
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['ghcr.io/Owner/App', 'repository names must be lowercase'],
    ['ghcr.io/owner/app:stable', 'must not include a tag; use the source input'],
    ['localhost:5000/app:1.0', 'must not include a tag; use the source input'],
    ['ghcr.io/owner/app@sha256:' + 'a'.repeat(64), 'must not include a tag or digest; use the source input'],
    ['https://ghcr.io/owner/app', 'must not include a URL scheme'],
    ['ghcr.io/owner/my app', 'invalid repository component "my app"'],
    ['ghcr.io/owner//app', 'invalid repository component ""'],
    ['ghcr.io/owner/-app', 'invalid repository component "-app"'],
    ['ghcr.io/owner/app/', 'invalid repository component ""'],
    ['ghcr.io/', 'has no repository name'],
    ['bad_host.io:x/app', 'is not a valid registry host'],
  ])('rejects %j: %s', (text, message) => {
    let error: unknown;
    try {
      parseImage(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    // The caller prefixes `Input "image": `: the message must not name an input itself.
    expect((error as Error).message).not.toMatch(/^Input/);
  });
});

describe('scheme choice', () => {
  it('speaks plain HTTP to loopback hosts only, or when insecure', () => {
    for (const host of ['localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', 'LOCALHOST']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['ghcr.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('registry.lan:5000', true)).toBe('http://registry.lan:5000');
  });
});

describe('parseReference', () => {
  it('tells tags from sha256 digests', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    expect(parseReference('stable')).toEqual({ kind: 'tag', tag: 'stable', text: 'stable' });
    expect(parseReference(' v1.2.3-rc_1 ')).toMatchObject({ kind: 'tag', tag: 'v1.2.3-rc_1' });
    expect(parseReference(digest)).toEqual({ kind: 'digest', digest, text: digest });
    expect(parseReference('a'.repeat(128))).toMatchObject({ kind: 'tag' });
  });

  it.each([
    ['', 'must not be empty'],
    ['.hidden', 'is not a valid tag'],
    ['-x', 'is not a valid tag'],
    ['a'.repeat(129), 'is not a valid tag'],
    ['has space', 'is not a valid tag'],
    ['sha256:abc', 'is not a valid digest'],
    [`sha256:${'A'.repeat(64)}`, 'is not a valid digest'],
    [`sha512:${'a'.repeat(128)}`, 'only sha256 digests are supported'],
    ['app:tag', 'is not a valid digest'],
  ])('rejects %j', (text, message) => {
    expect(() => parseReference(text)).toThrow(ConfigurationError);
    expect(() => parseReference(text)).toThrow(message);
  });

  it('parseTag refuses digests', () => {
    expect(parseTag('latest')).toBe('latest');
    expect(() => parseTag(`sha256:${'a'.repeat(64)}`)).toThrow('is a digest, not a tag');
  });
});

describe('lowercaseRepository', () => {
  it.each([
    ['ghcr.io/Acme/App', 'ghcr.io/acme/app'],
    ['  ghcr.io/acme/app ', 'ghcr.io/acme/app'],
    ['Localhost:5000/Team/App', 'Localhost:5000/team/app'],
    ['Acme/App', 'acme/app'],
    ['REGISTRY.example:443/A__B/C', 'REGISTRY.example:443/a__b/c'],
  ])('%j → %j', (text, expected) => {
    expect(lowercaseRepository(text)).toBe(expected);
  });

  it('leaves everything parseImage rejects for other reasons rejected', () => {
    expect(() => parseImage(lowercaseRepository('ghcr.io/Acme/App:V1'))).toThrow(/must not include a tag/);
    expect(() => parseImage(lowercaseRepository('https://ghcr.io/Acme/App'))).toThrow(/URL scheme/);
  });
});

/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). Parameter names are lowercased. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

/**
 * Parses every challenge in a header: `Bearer realm="https://x/token",service="x",scope="repository:a:pull,push"`,
 * possibly followed by `, Basic realm="x"`. Quoted values may hold commas and backslash escapes; unquoted values
 * are read leniently up to the next comma or space, because registries send bare URLs there.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const s = header ?? '';
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < s.length && chars.includes(s[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (i < s.length) {
    skip(' \t,');
    const scheme = token();
    if (scheme === '') {
      // Garbage: resynchronise at the next comma or space rather than give up on the rest of the header.
      while (i < s.length && !', \t'.includes(s[i]!)) i++;
      continue;
    }
    const challenge: Challenge = { scheme, params: {} };
    out.push(challenge);
    skip(' \t');
    TOKEN68.lastIndex = i;
    const t68 = TOKEN68.exec(s);
    if (t68 && /^[ \t]*(,|$)/.test(s.slice(i + t68[0].length))) {
      challenge.token68 = t68[0];
      i += t68[0].length;
      continue;
    }
    for (;;) {
      skip(' \t');
      const mark = i;
      const name = token();
      skip(' \t');
      if (name === '' || s[i] !== '=') {
        i = mark; // not a parameter: the start of the next challenge
        break;
      }
      i++;
      skip(' \t');
      challenge.params[name.toLowerCase()] = s[i] === '"' ? quoted() : bare();
      skip(' \t');
      if (s[i] !== ',') break;
      i++;
    }
  }
  return out;

  function quoted(): string {
    let v = '';
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++;
    return v;
  }
  function bare(): string {
    const start = i;
    while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
    return s.slice(start, i);
  }
}

export function findChallenge(challenges: Challenge[], scheme: string): Challenge | undefined {
  return challenges.find((c) => c.scheme.toLowerCase() === scheme.toLowerCase());
}

/**
 * Merges scopes (`repository:owner/app:pull`) by resource, keeping the order actions were first asked in,
 * so the token asked for covers both what greenline wants up front and what the registry just asked for.
 */
export function mergeScopes(...lists: string[][]): string[] {
  const byResource = new Map<string, string[]>();
  for (const scope of lists.flat()) {
    const cut = scope.lastIndexOf(':');
    if (cut <= 0) continue;
    const resource = scope.slice(0, cut);
    const actions = byResource.get(resource) ?? [];
    for (const a of scope.slice(cut + 1).split(',')) if (a && !actions.includes(a)) actions.push(a);
    byResource.set(resource, actions);
  }
  return [...byResource].map(([resource, actions]) => `${resource}:${actions.join(',')}`);
}

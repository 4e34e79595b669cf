import { existsSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, actionYmlPath, readActionYml } from '../support/action-yml.js';

// Every action: its zod schema (src/actions/<name>/inputs.ts) and its action.yml must agree exactly,
// every input and output is described, and the bundle it points at is the one we build for it.
const names = readdirSync(join(ROOT, 'src', 'actions')).filter((n) => existsSync(join(ROOT, 'src', 'actions', n, 'inputs.ts')));

describe('action metadata', () => {
  it('finds the actions', () => {
    expect(names).toContain('promote-to-stable');
  });

  for (const name of names) {
    describe(name, () => {
      const meta = readActionYml(name);

      it('has inputs matching its zod schema, each described', async () => {
        const mod = (await import(join(ROOT, 'src', 'actions', name, 'inputs.ts'))) as {
          inputSchema: { shape: Record<string, unknown> };
          outputNames: readonly string[];
        };
        expect(Object.keys(mod.inputSchema.shape).sort()).toEqual(Object.keys(meta.inputs ?? {}).sort());
        expect(Object.keys(meta.outputs ?? {}).sort()).toEqual([...mod.outputNames].sort());
        for (const [input, spec] of Object.entries(meta.inputs ?? {})) {
          expect(spec.description, `${name} input ${input}`).toMatch(/\S{3}/);
          expect(input).toMatch(/^[a-z][a-z0-9-]*$/);
        }
        for (const [output, spec] of Object.entries(meta.outputs ?? {})) {
          expect(spec.description, `${name} output ${output}`).toMatch(/\S{3}/);
        }
      });

      it('runs on node24 from its committed bundle', () => {
        expect(meta.runs.using).toBe('node24');
        const bundle = resolve(dirname(actionYmlPath(name)), meta.runs.main);
        expect(bundle).toBe(join(ROOT, 'dist', name, 'index.js'));
        expect(existsSync(bundle)).toBe(true);
        expect(meta.branding?.icon).toBeTruthy();
        expect(meta.description.length).toBeGreaterThan(20);
      });
    });
  }
});

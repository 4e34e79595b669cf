/**
 * The workflow syntax the local executor supports, as strict zod schemas: an unknown key is an error, and
 * keys GitHub has but this executor does not implement (matrix, containers, services, reusable workflows…)
 * are named as unsupported instead of being ignored.
 */
import { z } from 'zod';
import { WorkflowError } from './types.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalar>;
const stringMap = z.record(z.string(), scalar);
const condition = z.union([z.string(), z.boolean(), z.number()]);
const boolOrExpr = z.union([z.boolean(), z.string()]);
const numberOrExpr = z.union([z.number(), z.string()]);

/** Scopes GitHub knows for GITHUB_TOKEN (docs: "Controlling permissions for GITHUB_TOKEN"). */
export const PERMISSION_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

const permissions = z.union([
  z.literal('read-all'),
  z.literal('write-all'),
  z.partialRecord(z.enum(PERMISSION_SCOPES), z.enum(['read', 'write', 'none'])),
]);
export type PermissionsSpec = z.infer<typeof permissions>;

const concurrency = z.union([
  z.string(),
  z.strictObject({ group: z.string(), 'cancel-in-progress': boolOrExpr.optional() }),
]);
export type ConcurrencySpec = z.infer<typeof concurrency>;

const defaults = z.strictObject({
  run: z.strictObject({ shell: z.string().optional(), 'working-directory': z.string().optional() }).optional(),
});
export type DefaultsSpec = z.infer<typeof defaults>;

const id = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must start with a letter or _ and contain only alphanumerics, - or _');

const step = z
  .strictObject({
    id: id.optional(),
    name: z.string().optional(),
    if: condition.optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    with: stringMap.optional(),
    env: stringMap.optional(),
    shell: z.string().optional(),
    'working-directory': z.string().optional(),
    'continue-on-error': boolOrExpr.optional(),
    'timeout-minutes': numberOrExpr.optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.uses === undefined) === (s.run === undefined)) ctx.addIssue({ code: 'custom', message: 'a step needs exactly one of uses: or run:' });
    if (s.uses !== undefined && (s.shell !== undefined || s['working-directory'] !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'shell: and working-directory: apply to run: steps only' });
    }
    if (s.run !== undefined && s.with !== undefined) ctx.addIssue({ code: 'custom', message: 'with: applies to uses: steps only' });
  });
export type StepSpec = z.infer<typeof step>;

const job = z.strictObject({
  name: z.string().optional(),
  needs: z.union([id, z.array(id)]).optional(),
  if: condition.optional(),
  'runs-on': z.union([z.string(), z.array(z.string()), z.strictObject({ group: z.string().optional(), labels: z.union([z.string(), z.array(z.string())]).optional() })]),
  permissions: permissions.optional(),
  environment: z.union([z.string(), z.strictObject({ name: z.string(), url: z.string().optional() })]).optional(),
  concurrency: concurrency.optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  env: stringMap.optional(),
  defaults: defaults.optional(),
  'timeout-minutes': numberOrExpr.optional(),
  steps: z.array(step).min(1),
});
export type JobSpec = z.infer<typeof job>;

const workflow = z.strictObject({
  name: z.string().optional(),
  'run-name': z.string().optional(),
  on: z.unknown(),
  permissions: permissions.optional(),
  env: stringMap.optional(),
  defaults: defaults.optional(),
  concurrency: concurrency.optional(),
  jobs: z.record(id, job),
});
export type WorkflowSpec = z.infer<typeof workflow>;

/** Keys GitHub accepts that this executor deliberately does not implement: named, never ignored. */
const UNSUPPORTED_JOB_KEYS: Record<string, string> = {
  strategy: 'matrix jobs',
  container: 'job containers',
  services: 'service containers',
  uses: 'reusable workflows',
  with: 'reusable workflows',
  secrets: 'reusable workflows',
  'continue-on-error': 'job-level continue-on-error',
  snapshot: 'custom images',
};

export function parseWorkflowSpec(value: unknown, file: string): WorkflowSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WorkflowError(`${file}: not a YAML mapping`);
  const jobs = (value as Record<string, unknown>).jobs;
  if (jobs && typeof jobs === 'object') {
    for (const [jobId, spec] of Object.entries(jobs as Record<string, unknown>)) {
      if (!spec || typeof spec !== 'object') continue;
      for (const key of Object.keys(spec)) {
        const what = UNSUPPORTED_JOB_KEYS[key];
        if (what) throw new WorkflowError(`${file}: jobs.${jobId}.${key}: ${what} are not supported by the local workflow executor`);
      }
    }
  }
  const parsed = workflow.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
    throw new WorkflowError(`${file}: unsupported or invalid workflow syntax:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

import { z } from 'zod';
import { ConfigurationError } from '../action/errors.js';
import type { LedgerEntry } from './types.js';

/** What may be rendered into the ledger. Free text is neutralised by the renderer, not rejected here. */
export const ledgerEntrySchema = z.object({
  status: z.enum(['passed', 'rolled-back', 'restored', 'failed', 'unknown']),
  statusText: z.string().optional(),
  commit: z.string().regex(/^[0-9a-fA-F]{7,40}$/, 'a commit SHA (7 to 40 hex digits)'),
  timestamp: z.string().optional(),
  image: z.string().optional(),
  digest: z.string().regex(/^[a-z0-9]+:[0-9a-f]{32,}$/i, 'a digest like sha256:<hex>').optional(),
  tags: z.array(z.string()).optional(),
  run: z.string().optional(),
  metrics: z.record(z.string(), z.number().refine(Number.isFinite, 'a finite number')).optional(),
  version: z.string().optional(),
  reason: z.string().optional(),
  replaced: z.string().regex(/^[a-z0-9]+:[0-9a-f]{32,}$/i, 'a digest like sha256:<hex>').optional(),
  deploy: z.object({ branch: z.string().min(1), commit: z.string().regex(/^[0-9a-fA-F]{40}$/, 'a full commit SHA') }).optional(),
  line: z.number().optional(),
});

/** An entry about to be written: everything the parser fills in is optional. */
export type NewLedgerEntry = Omit<LedgerEntry, 'statusText' | 'tags' | 'metrics' | 'line'> & {
  statusText?: string;
  tags?: string[];
  metrics?: Record<string, number>;
  line?: number;
};

export function validateEntry(entry: NewLedgerEntry): NewLedgerEntry {
  const r = ledgerEntrySchema.safeParse(entry);
  if (r.success) return entry;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
  throw new ConfigurationError(`ledger entry is not valid: ${issues}`);
}

import { preflight } from '../../core/action/preflight.js';
import { inputSchema, secretInputs } from './inputs.js';

// Inputs first, with nothing loaded but their schema; run() and all it needs is a chunk of its own (preflight.ts).
if (preflight(inputSchema, secretInputs)) void import('./run.js').then(({ run }) => run());

/**
 * find-last-good-commit on hostile input, one input at a time over a run that finds the good commit of a
 * broken main (the GitHub stand-in, no checkout): an answer or one error line naming the input; no crash,
 * no hang, no shell, nothing written.
 */
import { describeInputFuzz } from './describe-input-fuzz.js';
import { revertWorld } from './revert-world.js';

describeInputFuzz('find-last-good-commit', () => revertWorld('find-last-good-commit', { dryRun: false }), (r) => r.code === 0 && r.outputs.found === 'true');

/**
 * auto-revert on hostile input, one input at a time over a valid dry run (a broken main, the GitHub
 * stand-in on its bare repository, no checkout: the Git Data API method): reverted or not (exit 0)
 * or one error line naming the input; no crash, no hang, no shell, no ref moved, nothing written.
 */
import { describeInputFuzz } from './describe-input-fuzz.js';
import { revertWorld } from './revert-world.js';

describeInputFuzz('auto-revert', () => revertWorld('auto-revert', { dryRun: true }));

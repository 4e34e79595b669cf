import fc from 'fast-check';

// Property tests explore new random cases on every local run; CI pins the seed (script/test sets
// GREENLINE_FUZZ_SEED) so a landing never depends on luck, and any failure can be replayed with that seed.
const seed = process.env.GREENLINE_FUZZ_SEED;
if (seed) fc.configureGlobal({ seed: Number(seed) });

// Node 24 strips TypeScript types natively, but our sources import siblings as `./x.js` (NodeNext style).
// This resolve hook retries a missing `.js` specifier as `.ts`, so benchmarks run the real sources.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && specifier.startsWith('.') && specifier.endsWith('.js')) {
      return next(specifier.slice(0, -3) + '.ts', context);
    }
    throw error;
  }
}

/**
 * Preloaded by `npm run bench:smtp` into the processes it measures (node --expose-gc): SIGUSR2 runs a full
 * garbage collection, so the bench can read the RSS that is still in use after a load next to the peak
 * RSS (which also counts garbage V8 had not collected yet). Without --expose-gc it does nothing.
 */
export {};
const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage) process.on("SIGUSR2", () => collectGarbage());

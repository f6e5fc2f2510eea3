// The hidden command a run starts, at the lowest priority, to fill the binary cache
// (confined-code.ts): its own module, so that the command line can name it without loading the
// analysis.
export const CACHE_COMMAND = "__cache-run-warnings";

// Errors of packing and of starting a packed executable; the messages say what to do.

/** A program or base binary that cannot be packed, or a packed executable that is damaged. */
export class PackError extends Error {
  override name = "PackError";
}

/** The cache directory cannot be used safely (owned by another user, writable by others...). */
export class CacheError extends Error {
  override name = "CacheError";
}

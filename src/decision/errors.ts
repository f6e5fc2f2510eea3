// Errors of the decision engine.

/** --strict: goroutine ancestry cannot be checked for this binary, so decisions would be partial. */
export class AncestryOffError extends Error {
  override name = "AncestryOffError";
}

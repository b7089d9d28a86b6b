// The error a call that must fail rejects with: a call that succeeds, or fails with something else, fails
// the test.

/** What `p` rejects with: an Error, or an instance of `type` when given. */
export async function rejection(p: Promise<unknown>): Promise<Error>;
export async function rejection<E extends Error>(
  p: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E>;
export async function rejection(
  p: Promise<unknown>,
  type: new (...args: never[]) => Error = Error,
): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof type) return err;
    throw new Error(`expected a ${type.name}`, { cause: err });
  }
  throw new Error('expected the call to fail');
}

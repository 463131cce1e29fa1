/**
 * Keeps a refetching page from going back in time. Pages refetch when their
 * filters change and on a timer; answers can arrive out of order, and an older
 * one must not land over a newer one. An answer (or failure) is dropped when
 * the answer to a later request has already landed: its promise never settles,
 * so nothing reaches the page. Nothing is dropped for being merely slow, so a
 * slow server still gets its answers shown while requests keep coming.
 */
export function latestOnly(): <T>(request: Promise<T>) => Promise<T> {
  let issued = 0;
  let landed = 0;
  return <T>(request: Promise<T>) => {
    const mine = ++issued;
    return new Promise<T>((resolve, reject) => {
      const settle = (done: () => void) => {
        if (mine < landed) return;
        landed = mine;
        done();
      };
      request.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  };
}

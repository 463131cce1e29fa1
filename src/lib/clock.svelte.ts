/** One shared one-second tick for every live duration on the page. */
class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;
  #users = 0;

  use() {
    if (this.#users++ === 0) this.#timer = setInterval(() => (this.now = Date.now()), 1000);
    return () => {
      if (--this.#users === 0) clearInterval(this.#timer);
    };
  }
}

export const clock = new Clock();

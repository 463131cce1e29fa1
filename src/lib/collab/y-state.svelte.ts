
/**
 * A rune view of part of a Yjs document: `value` is `$state`, recomputed with
 * `read()` whenever anything under `type` changes (local or remote). Writes go
 * through the schema helpers in $shared/war-room-doc, never through `value`.
 */
interface Observable {
  observeDeep(handler: () => void): void;
  unobserveDeep(handler: () => void): void;
}

export class YView<T> {
  value = $state() as T;
  readonly #type: Observable;
  readonly #handler: () => void;

  constructor(type: Observable, read: () => T) {
    this.value = read();
    this.#type = type;
    this.#handler = () => (this.value = read());
    type.observeDeep(this.#handler);
  }

  destroy() {
    this.#type.unobserveDeep(this.#handler);
  }
}

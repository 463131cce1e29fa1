/**
 * Releases scheduled injects as the drill clock reaches them. A poll rather
 * than a timer per inject: the clock can be held and resumed, drills survive
 * restarts, and the work is one small query per tick while no drill runs.
 */
import type { AlertDeps } from '../alerts/ingest.ts';
import { releaseDueInjects } from './inject-delivery.ts';

export class DrillScheduler {
  readonly #deps: AlertDeps;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #tick: Promise<unknown> | null = null;

  constructor(deps: AlertDeps, options: { intervalMs?: number } = {}) {
    this.#deps = deps;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  start(): void {
    if (this.#timer) return;
    const loop = () => {
      this.#tick = releaseDueInjects(this.#deps)
        .catch((error) => this.#deps.log.error({ err: error }, 'drill scheduler tick failed'))
        .finally(() => {
          this.#tick = null;
          if (this.#timer) this.#timer = setTimeout(loop, this.#intervalMs);
        });
    };
    this.#timer = setTimeout(loop, this.#intervalMs);
  }

  /** Stops polling and waits for a tick in flight, which needs the database. */
  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tick;
  }
}

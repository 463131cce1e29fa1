/**
 * One incident's communications in the browser: cadence per audience and the
 * published history, refetched when the war-room document says something
 * changed (a state change bumps meta.rev; a publish adds a communication entry
 * to the timeline), so every open war room follows along.
 */
import type * as Y from 'yjs';
import { api } from '$lib/api';
import { meta, timelineMap } from '$shared/war-room-doc';
// Pure, and the same rule the server uses, so the countdown turns amber and red when the API says it would.
import { dueState } from '$shared/cadence';
import type { Audience, CadenceView, DueState, UpdateView } from './types';

export const dueStateAt = (cadence: Pick<CadenceView, 'prompted' | 'deadlineAt'> | undefined, now: number): DueState =>
  cadence ? dueState({ prompted: cadence.prompted, deadlineAt: cadence.deadlineAt ? new Date(cadence.deadlineAt) : null }, new Date(now)) : 'ok';

/** "12:30", "1:05:00" */
export function formatCountdown(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export class IncidentComms {
  cadence = $state<CadenceView[]>([]);
  updates = $state<UpdateView[]>([]);
  error = $state<string | null>(null);
  loaded = $state(false);
  readonly #ref: string;
  readonly #cleanups: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ref: string, doc: Y.Doc) {
    this.#ref = ref;
    const soon = () => {
      clearTimeout(this.#timer);
      // Coalesces bursts (several entries arriving in one sync).
      this.#timer = setTimeout(() => this.refresh(), 150);
    };
    const onMeta = () => soon();
    const onTimeline = (event: Y.YMapEvent<Y.Map<unknown>>) => {
      for (const key of event.keysChanged) if (key.startsWith('update-')) return soon();
    };
    meta(doc).observe(onMeta);
    timelineMap(doc).observe(onTimeline);
    this.#cleanups.push(() => meta(doc).unobserve(onMeta), () => timelineMap(doc).unobserve(onTimeline));
    this.refresh();
  }

  cadenceOf(audience: Audience): CadenceView | undefined {
    return this.cadence.find((c) => c.audience === audience);
  }

  historyOf(audience: Audience): UpdateView[] {
    return this.updates.filter((u) => u.audience === audience);
  }

  async refresh() {
    const base = `/api/incidents/${encodeURIComponent(this.#ref)}`;
    try {
      const [cadence, updates] = await Promise.all([
        api<{ cadence: CadenceView[] }>('GET', `${base}/cadence`),
        api<{ updates: UpdateView[] }>('GET', `${base}/updates`),
      ]);
      this.cadence = cadence.cadence;
      this.updates = updates.updates;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async setInterval(audience: Audience, change: { intervalMinutes: number | null } | { useDefault: true }) {
    const result = await api<{ cadence: CadenceView[] }>('PUT', `/api/incidents/${encodeURIComponent(this.#ref)}/cadence`, { audience, ...change });
    this.cadence = result.cadence;
  }

  async publish(audience: Audience, body: string, idempotencyKey: string): Promise<{ update: UpdateView; created: boolean }> {
    const result = await api<{ update: UpdateView; created: boolean }>('POST', `/api/incidents/${encodeURIComponent(this.#ref)}/updates`, { audience, body, idempotencyKey });
    if (!this.updates.some((u) => u.id === result.update.id)) this.updates = [result.update, ...this.updates];
    await this.refresh();
    return result;
  }

  destroy() {
    clearTimeout(this.#timer);
    for (const cleanup of this.#cleanups) cleanup();
  }
}

/** Client-side shapes and calls of the postmortem API, read from the API's own schemas (server/shared/api/: type-only imports). */
import { api, ApiFailure } from '$lib/api';
import type { z } from 'zod';
import type { ActionItemSchema } from '$shared/api/action-items';
import type * as schemas from '$shared/api/postmortems';
import type { ActionKind, ActionStatus, PostmortemState } from '$shared/postmortem-doc';

export type { PostmortemState };
export type ReviewMove = 'submit' | 'send-back' | 'publish' | 'revise';

export type PostmortemEnvelope = z.infer<typeof schemas.PostmortemEnvelope>;
export type PublishedVersion = z.infer<typeof schemas.PostmortemVersion>;
/** An action item as the API answers it. */
export type ActionItemView = z.infer<typeof ActionItemSchema>;
export type OverdueReview = z.infer<typeof schemas.OverdueReview>;

export const STATE_LABELS: Record<PostmortemState, string> = { draft: 'Draft', in_review: 'In review', published: 'Published' };
export const STATUS_LABELS: Record<ActionStatus, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', wont_do: 'Won’t do' };
export const KIND_LABELS: Record<ActionKind, string> = { immediate: 'Immediate', structural: 'Structural' };

const base = (ref: string | number) => `/api/incidents/${encodeURIComponent(String(ref))}/postmortem`;

export const getPostmortem = (ref: string | number) => api<PostmortemEnvelope>('GET', base(ref));
/** The retry path when drafting at close failed; idempotent. */
export const generatePostmortem = (ref: string | number) => api<PostmortemEnvelope>('POST', base(ref), {});
export const moveReview = (ref: string | number, move: Exclude<ReviewMove, 'publish'>) => api<PostmortemEnvelope>('POST', `${base(ref)}/${move}`, {});

/** Publication refused with the list of what to fix (422 not_ready). */
export class NotReady extends ApiFailure {
  readonly problems: string[];
  constructor(message: string, problems: string[]) {
    super(422, 'not_ready', message);
    this.problems = problems;
  }
}

/** Like the other moves, but a 422 keeps its `problems` list, which api() does not carry. */
export async function publish(ref: string | number): Promise<PostmortemEnvelope> {
  const response = await fetch(`${base(ref)}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => null);
  if (!response) throw new ApiFailure(0, 'network', 'Cannot reach the Warroom server. Check your connection and try again.');
  const data = await response.json().catch(() => null);
  if (response.ok) return data as PostmortemEnvelope;
  const error = data?.error ?? {};
  if (error.code === 'not_ready') throw new NotReady(error.message ?? 'Not ready to publish.', Array.isArray(error.problems) ? error.problems : []);
  throw new ApiFailure(response.status, error.code ?? 'unknown', error.message ?? `Request failed (${response.status}).`, error.field);
}
export const setReviewDue = (ref: string | number, reviewDueAt: string) => api<PostmortemEnvelope>('PATCH', base(ref), { reviewDueAt });
export const getVersion = (ref: string | number, version: number) => api<PublishedVersion>('GET', `${base(ref)}/versions/${version}`);
export const exportUrl = (ref: string | number, version?: number) => `${base(ref)}/export.md${version ? `?version=${version}` : ''}`;

export interface ActionItemFilters {
  mine?: boolean;
  owner?: string;
  service?: string;
  kind?: ActionKind;
  status?: ActionStatus;
  overdue?: boolean;
  check30?: boolean;
  incident?: string;
}

export function listActionItems(filters: ActionItemFilters) {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '' || value === false) continue;
    qs.set(key, value === true ? '1' : String(value));
  }
  return api<{ items: ActionItemView[] }>('GET', `/api/action-items?${qs}`);
}

export const updateActionItemStatus = (id: string, changes: { status?: ActionStatus; note?: string; dueDate?: string | null; ownerId?: string | null }) =>
  api<{ item: ActionItemView }>('PATCH', `/api/action-items/${encodeURIComponent(id)}`, changes);

export const overdueReviews = () => api<{ items: OverdueReview[] }>('GET', '/api/postmortems/overdue');

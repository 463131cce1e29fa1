/** The communications API's shapes in the browser, read from the API's own schemas (server/shared/api/components.ts). */
import type { z } from 'zod';
import type * as api from '$shared/api/components';
import type { Audience } from '$shared/audiences';
import type { DueState } from '$shared/cadence';

export type { Audience, DueState };
export type UpdateView = z.infer<typeof api.Update>;
export type CadenceView = z.infer<typeof api.Cadence>;
export type TemplateView = z.infer<typeof api.Template>;

export const AUDIENCE_LABELS: Record<Audience, string> = {
  responders: 'Responders',
  support: 'Support',
  leadership: 'Leadership',
  public: 'Public',
};

import { redirect } from '@sveltejs/kit';
import { canonicalIncidentPath } from '$shared/incident-paths';
import type { PageLoad } from './$types';

// Links the app routes itself (e.g. inside rendered Markdown) never reach the server's redirect.
export const load: PageLoad = ({ url }) => {
  const canonical = canonicalIncidentPath(url.pathname);
  if (canonical) redirect(308, canonical + url.search);
};

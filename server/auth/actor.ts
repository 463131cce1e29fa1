/** Who is doing something: the one shape every domain command takes for its caller. */
export interface Actor {
  id: string;
  displayName: string;
  isAdmin: boolean;
  /**
   * Acting through an API token (a script, an alert rule's service account)
   * rather than by hand in a signed-in browser. Automated actions never
   * acknowledge an incident: only a person taking it does.
   */
  automated?: boolean;
}

/** One tab of a Tabs set: `id` names its panel, `label` is what the tab says. */
export interface TabItem<Id extends string = string> {
  id: Id;
  label: string;
}

/** Ids tying a tab to its panel: the panel's owner renders it with these (role="tabpanel", aria-labelledby). */
export const tabId = (set: string, id: string) => `${set}-tab-${id}`;
export const panelId = (set: string, id: string) => `${set}-panel-${id}`;

/**
 * Where the arrow keys move in a row of tabs (WAI-ARIA tabs pattern): wraps at
 * the ends, Home and End jump to them; null for any other key.
 */
export function nextTabIndex(key: string, current: number, count: number, orientation: 'horizontal' | 'vertical' = 'horizontal'): number | null {
  const back = orientation === 'horizontal' ? 'ArrowLeft' : 'ArrowUp';
  const forward = orientation === 'horizontal' ? 'ArrowRight' : 'ArrowDown';
  if (count === 0) return null;
  if (key === forward) return (current + 1) % count;
  if (key === back) return (current - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

import { describe, expect, it } from 'vitest';
import { KNOWN_ROLES, roleBadge } from '../../src/lib/war-room/role-badges.ts';

describe('presence role badges', () => {
  it('tell every role apart: the commander and the communicator no longer both read COM', () => {
    expect(roleBadge('commander')).toBe('IC');
    expect(roleBadge('communicator')).toBe('COM');
    const badges = KNOWN_ROLES.map(roleBadge);
    expect(new Set(badges).size).toBe(badges.length);
    for (const role of ['commander', 'scribe', 'communicator', 'responder', 'observer']) expect(KNOWN_ROLES).toContain(role);
  });
});

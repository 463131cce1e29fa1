import { describe, expect, it } from 'vitest';
import { permissionsFor, standingOf, type Permissions, type Standing } from '../../server/incidents/permissions.ts';

const actors: Record<string, Omit<Standing, 'private' | 'closed'>> = {
  admin: { isAdmin: true, kind: null, roles: [] },
  'admin observer': { isAdmin: true, kind: 'observer', roles: [] },
  commander: { isAdmin: false, kind: 'responder', roles: ['commander'] },
  scribe: { isAdmin: false, kind: 'responder', roles: ['scribe'] },
  // A role holder whose participant row went missing still keeps write access.
  'communicator without row': { isAdmin: false, kind: null, roles: ['communicator'] },
  responder: { isAdmin: false, kind: 'responder', roles: [] },
  observer: { isAdmin: false, kind: 'observer', roles: [] },
  'non-participant': { isAdmin: false, kind: null, roles: [] },
};

// access / command / claim / add participants, for a public and a private incident.
const TABLE = `
  actor                      public                 private
  admin                      write cmd claim add    write cmd claim add
  admin observer             write cmd claim add    write cmd claim add
  commander                  write cmd claim add    write cmd claim add
  scribe                     write -   claim -      write -   claim -
  communicator without row   write -   claim -      write -   claim -
  responder                  write -   claim -      write -   claim -
  observer                   read  -   -     -      read  -   -     -
  non-participant            read  -   -     -      none  -   -     -
`;

function expected(cells: string[]): Permissions {
  const [access, cmd, claim, add] = cells;
  return { access: access as Permissions['access'], canCommand: cmd === 'cmd', canClaim: claim === 'claim', canAddParticipants: add === 'add' };
}

const cases = TABLE.trim()
  .split('\n')
  .slice(1)
  .flatMap((line) => {
    // Longest name first, so "admin" does not claim the "admin observer" row.
    const name = Object.keys(actors).sort((a, b) => b.length - a.length).find((n) => line.trim().startsWith(n + ' '))!;
    const cells = line.trim().slice(name.length).trim().split(/\s+/);
    return [
      { actor: name, visibility: 'public', private: false, expected: expected(cells.slice(0, 4)) },
      { actor: name, visibility: 'private', private: true, expected: expected(cells.slice(4, 8)) },
    ];
  });

describe('incident permissions', () => {
  it('covers every actor kind on public and private incidents', () => {
    expect(cases).toHaveLength(Object.keys(actors).length * 2);
  });

  it.each(cases)('$actor on a $visibility incident', ({ actor, private: isPrivate, expected }) => {
    expect(permissionsFor({ ...actors[actor], private: isPrivate, closed: false })).toEqual(expected);
  });

  // Closing freezes the war room for everyone, admins included; whoever could command can still reopen.
  it.each(cases)('$actor on a closed $visibility incident: read-only, commands unchanged', ({ actor, private: isPrivate, expected }) => {
    const frozen = permissionsFor({ ...actors[actor], private: isPrivate, closed: true });
    expect(frozen).toEqual({
      ...expected,
      access: expected.access === 'write' ? 'read' : expected.access,
      canClaim: false,
    });
  });
});

describe('standingOf', () => {
  const incident = {
    private: true,
    state: 'monitoring',
    roles: { commander: { id: 'ana' }, scribe: { id: 'ben' }, communicator: { id: 'ana' } },
  };

  it('collects every role the viewer holds', () => {
    expect(standingOf({ id: 'ana', isAdmin: false }, incident, 'responder')).toEqual({
      isAdmin: false,
      private: true,
      closed: false,
      kind: 'responder',
      roles: ['commander', 'communicator'],
    });
    expect(standingOf({ id: 'ana', isAdmin: false }, { ...incident, state: 'closed' }, 'responder').closed).toBe(true);
  });

  it('gives an outsider no roles', () => {
    expect(standingOf({ id: 'eve', isAdmin: false }, incident, null).roles).toEqual([]);
  });
});

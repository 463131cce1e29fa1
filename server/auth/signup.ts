import type { Sql } from '../db/sql.ts';
import { fail, type Failure } from '../shared/failure.ts';
import { findInviteByToken, markInviteUsed } from './invites.ts';
import { checkPasswordRules, hashPassword } from './password.ts';
import { countUsers, createUser, findUserByEmail, type User } from './users.ts';

export interface SignUpInput {
  email: string;
  displayName: string;
  password: string;
  inviteToken?: string;
}

export type SignUpResult = { ok: true; user: User } | Failure;

/**
 * On an empty database the first person to sign up becomes the admin; after
 * that an unused, unexpired invite is required. The advisory lock makes
 * "is this the first user?" and "is this invite still unused?" race-free.
 */
export async function signUp(sql: Sql, input: SignUpInput): Promise<SignUpResult> {
  const weak = checkPasswordRules(input.password, { email: input.email });
  if (weak) return fail(400, 'weak_password', weak, 'password');
  // Hash before the transaction: argon2 takes ~50 ms and must not hold the lock.
  const passwordHash = await hashPassword(input.password);

  return sql.begin(async (tx): Promise<SignUpResult> => {
    await tx`select pg_advisory_xact_lock(hashtext('warroom.signup'))`;
    const first = (await countUsers(tx)) === 0;
    let inviteId: string | null = null;
    if (!first) {
      if (!input.inviteToken) {
        return fail(403, 'invite_required', 'Sign-up needs an invite link from an admin.', 'invite');
      }
      const invite = await findInviteByToken(tx, input.inviteToken, true);
      if (!invite || invite.status !== 'pending') {
        const why = invite ? `This invite was ${invite.status}.` : 'This invite link is not valid.';
        return fail(400, 'invite_invalid', `${why} Ask an admin for a new one.`, 'invite');
      }
      if (invite.email && invite.email.toLowerCase() !== input.email.toLowerCase()) {
        return fail(400, 'email_mismatch', `This invite is for ${invite.email}.`, 'email');
      }
      inviteId = invite.id;
    }
    if (await findUserByEmail(tx, input.email)) {
      return fail(409, 'email_taken', 'An account with this email already exists. Log in instead.', 'email');
    }
    const user = await createUser(tx, {
      email: input.email,
      displayName: input.displayName,
      passwordHash,
      role: first ? 'admin' : 'member',
    });
    if (inviteId) await markInviteUsed(tx, inviteId, user.id);
    return { ok: true, user };
  });
}

import type { Sql } from '../../db/sql.ts';
import type { PublishedUpdate } from '../types.ts';

/**
 * Queues one delivery per active webhook endpoint subscribed to the update's
 * audience. Called inside the publishing transaction, so an update and its
 * deliveries commit together; sending happens later in the delivery worker.
 */
export async function enqueueDeliveries(_sql: Sql, _update: PublishedUpdate): Promise<void> {
  // Filled in by the webhooks work (server/comms/webhooks/).
}

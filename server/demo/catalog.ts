/**
 * What the demo organisation looks like: its people, its services and the
 * ways those services fail. Each failure mode carries the words a real
 * postmortem for it would use, so search, similar incidents and the pattern
 * review have something true-sounding to find. Weights make a few modes
 * recur (the signal recurrence and patterns should surface).
 */
import type { FactorCategory } from '../shared/postmortem-doc.ts';

export const DEMO_PASSWORD = 'demo demo demo';
export const DEMO_EMAIL_DOMAIN = 'demo.warroom.test';

export const PEOPLE = [
  'Ana Silva', 'Ben Okafor', 'Chloé Martin', 'Dmitri Volkov', 'Esther Cohen', 'Farid Haddad', 'Grace Liu', 'Hiro Tanaka',
  'Ines García', 'Jonas Berg', 'Kavya Rao', 'Liam Murphy', 'Maya Patel', 'Nils Andersson', 'Olga Novak', 'Pedro Santos',
  'Quinn Taylor', 'Rania Aziz', 'Sam Whitfield', 'Tomás Ruiz', 'Uma Krishnan', 'Victor Hugo Lima', 'Wen Zhao', 'Xavier Dupont',
  'Yara Nasser', 'Zoe Fischer', 'Aiko Sato', 'Bruno Costa', 'Cara Quinn', 'Dev Malhotra',
] as const;

export interface FailureMode {
  key: string;
  services: readonly string[];
  /** Relative frequency; the high ones are the recurring problems. */
  weight: number;
  titles: readonly string[];
  summary: string;
  trigger: string;
  detection: string;
  factors: readonly (readonly [FactorCategory, string])[];
  immediate: readonly string[];
  structural: readonly (readonly [string, string])[];
  runbook: { title: string; checks: readonly string[]; commands: readonly string[]; decisions: readonly string[] };
}

export const FAILURE_MODES: readonly FailureMode[] = [
  {
    key: 'payments-pool', services: ['payments', 'postgres'], weight: 9,
    titles: ['Payments API returning 500s', 'Card payments failing at checkout', 'Payments latency spike and timeouts'],
    summary: 'Card payments failed for a share of customers: the payments API ran out of database connections and requests timed out.',
    trigger: 'A deploy raised the worker count without raising the connection pool limit on the primary database.',
    detection: 'The checkout error-rate alert fired, but only after the five-minute window filled.',
    factors: [['technical', 'Connection pool exhaustion on the payments primary under retry storms'], ['process', 'Pool size is not part of the deploy checklist'], ['tooling', 'No alert on pool saturation, only on error rate']],
    immediate: ['Raise the payments pool limit and cap client retries', 'Add pool saturation to the payments dashboard'],
    structural: [['Alert on connection pool saturation before errors appear', 'capacity limits'], ['Put connection budgets in the service manifest and check them at deploy', 'configuration drift']],
    runbook: { title: 'Payments: database connection pool exhausted', checks: ['`pg_stat_activity` count by application', 'Error rate on /v1/charges', 'Recent deploys of payments-api'], commands: ['kubectl -n payments rollout undo deploy/payments-api', "psql -c \"select application_name, count(*) from pg_stat_activity group by 1\""], decisions: ['If connections are at the limit and a deploy happened in the last hour: roll back first, investigate after', 'If retries dominate: turn on the retry circuit breaker flag'] },
  },
  {
    key: 'payments-processor', services: ['payments'], weight: 4,
    titles: ['Card processor timeouts', 'Upstream card processor degraded'],
    summary: 'The external card processor answered slowly; our checkout waited on it and customers saw spinning payments.',
    trigger: 'Degradation at the card processor in one region.',
    detection: 'Customers reported it to support before our synthetic checks did.',
    factors: [['technical', 'No fallback processor for the EU region'], ['tooling', 'Synthetic checkout probe ran only every 15 minutes']],
    immediate: ['Shorten the processor timeout to 4 seconds'],
    structural: [['Fail over to the secondary processor automatically', 'single points of failure']],
    runbook: { title: 'Payments: card processor degraded', checks: ['Processor status page', 'p95 latency of processor calls by region'], commands: ['warroomctl flag set payments.processor=secondary'], decisions: ['If p95 above 3 s for 5 minutes: switch to the secondary processor', 'Tell support to post the known-issue macro'] },
  },
  {
    key: 'auth-certs', services: ['auth', 'edge'], weight: 6,
    titles: ['Login failing: expired TLS certificate', 'Auth service certificate expired', 'SSO login broken after certificate rotation'],
    summary: 'Nobody could sign in: the certificate on the auth endpoint expired and clients refused the connection.',
    trigger: 'A certificate renewal job had been failing silently for three weeks.',
    detection: 'Detected by customer reports; the expiry alert was routed to a retired channel.',
    factors: [['process', 'Certificate renewals are owned by nobody in particular'], ['tooling', 'Expiry alerts went to an archived Slack channel'], ['technical', 'Renewal job failure did not page']],
    immediate: ['Renew the certificate by hand and restart the edge proxies'],
    structural: [['Inventory every certificate with an owner and expiry alert at 30/7/1 days', 'expiring credentials'], ['Page on renewal job failures', 'silent failures']],
    runbook: { title: 'Auth: certificate expired or about to', checks: ['`openssl s_client -connect auth.internal:443` expiry date', 'cert-manager Certificate status'], commands: ['kubectl -n edge annotate certificate auth-tls cert-manager.io/issue-temporary-certificate=true', 'kubectl -n edge rollout restart deploy/envoy'], decisions: ['If cert-manager cannot issue: upload the emergency certificate from the vault', 'Escalate to security if the CA is unreachable'] },
  },
  {
    key: 'auth-session-store', services: ['auth', 'redis'], weight: 3,
    titles: ['Users logged out: session store evictions', 'Session store memory full'],
    summary: 'Users were logged out repeatedly because the session store evicted keys under memory pressure.',
    trigger: 'A marketing campaign doubled active sessions.',
    detection: 'The logout-rate graph showed it but nothing alerted on it.',
    factors: [['technical', 'Redis maxmemory policy evicts session keys'], ['human_factors', 'Campaign launch was not shared with on-call']],
    immediate: ['Increase session store memory'],
    structural: [['Capacity review before planned traffic events', 'capacity limits']],
    runbook: { title: 'Auth: session store evicting', checks: ['`redis-cli info memory`', 'evicted_keys rate'], commands: ['redis-cli config set maxmemory 8gb'], decisions: ['If evictions continue after scaling: shorten idle session TTL'] },
  },
  {
    key: 'search-index', services: ['search', 'elasticsearch'], weight: 7,
    titles: ['Search results stale', 'Product search returning empty results', 'Search indexing lag over one hour'],
    summary: 'Product search served stale or empty results because the indexing pipeline stalled behind a poison message.',
    trigger: 'A malformed product record blocked the indexing consumer.',
    detection: 'Merchants noticed missing products; the lag metric had no alert.',
    factors: [['technical', 'Indexing consumer retries one message forever'], ['tooling', 'No alert on indexing lag'], ['process', 'Schema change shipped without a backfill test']],
    immediate: ['Skip the poison message and reindex the affected shard'],
    structural: [['Dead-letter queue for indexing failures', 'silent failures'], ['Alert on consumer lag for every queue', 'detection gaps']],
    runbook: { title: 'Search: indexing stalled', checks: ['Consumer lag on product-updates', 'Indexer error logs for one repeating id'], commands: ['kafka-consumer-groups --describe --group search-indexer', 'warroomctl search reindex --shard N'], decisions: ['If one id repeats in errors: move it to the dead-letter topic', 'If lag over 1 h: announce degraded search'] },
  },
  {
    key: 'checkout-deploy', services: ['checkout', 'web'], weight: 6,
    titles: ['Checkout button broken after deploy', 'Checkout page errors for Safari users', 'Checkout conversion dropped after release'],
    summary: 'A frontend release broke checkout for some browsers; orders dropped until the release was rolled back.',
    trigger: 'A JavaScript bundle used syntax unsupported by an older Safari.',
    detection: 'Conversion dashboards showed it 40 minutes later; no client error alert.',
    factors: [['process', 'Canary only covered Chrome traffic'], ['tooling', 'Browser error reporting not wired to alerts'], ['technical', 'Build target did not match the supported browser list']],
    immediate: ['Roll back web to the previous release'],
    structural: [['Alert on client-side error rate per browser', 'detection gaps'], ['Canary by browser family', 'risky deploys']],
    runbook: { title: 'Checkout: bad frontend release', checks: ['Client error rate by browser', 'Release list for web in the last 2 hours'], commands: ['warroomctl deploy rollback web --to previous'], decisions: ['Roll back first when errors follow a release within 2 hours', 'Ask the release owner to join'] },
  },
  {
    key: 'orders-queue', services: ['orders', 'rabbitmq'], weight: 5,
    titles: ['Orders stuck in pending', 'Order confirmation emails delayed', 'Order queue backlog'],
    summary: 'Orders stayed pending for up to two hours because the order queue consumers crashed in a loop.',
    trigger: 'A consumer upgrade changed the acknowledgement mode.',
    detection: 'The queue-depth alert fired on time.',
    factors: [['technical', 'Consumers crash on a message with a null address'], ['process', 'Queue consumer changes are not load-tested']],
    immediate: ['Pin the consumer to the previous version', 'Drain the backlog with extra consumers'],
    structural: [['Contract tests for queue messages', 'risky deploys']],
    runbook: { title: 'Orders: queue backlog', checks: ['Queue depth on orders.created', 'Consumer restarts'], commands: ['kubectl -n orders scale deploy/order-worker --replicas=12'], decisions: ['If consumers crash-loop: roll back the worker before scaling'] },
  },
  {
    key: 'inventory-sync', services: ['inventory'], weight: 3,
    titles: ['Inventory counts wrong after sync', 'Overselling: inventory sync failed'],
    summary: 'Inventory counts drifted after the nightly sync partially failed; some items oversold.',
    trigger: 'The warehouse API paginated differently after their upgrade.',
    detection: 'Found by a merchant a day later.',
    factors: [['technical', 'Sync treats a short page as the end of the list'], ['tooling', 'No reconciliation check after sync']],
    immediate: ['Rerun the sync with the fixed pagination'],
    structural: [['Reconciliation job comparing totals after every sync', 'data integrity']],
    runbook: { title: 'Inventory: sync drift', checks: ['Last sync row counts vs warehouse totals'], commands: ['warroomctl inventory sync --full'], decisions: ['If drift above 1%: freeze sales of affected SKUs'] },
  },
  {
    key: 'notifications-provider', services: ['notifications'], weight: 4,
    titles: ['Push notifications not delivered', 'SMS provider rate limiting us'],
    summary: 'Notifications were not delivered because the provider rate-limited our account after a burst.',
    trigger: 'A batch job sent reminders to every user at once.',
    detection: 'Provider emailed us; delivery-rate alert did not exist.',
    factors: [['process', 'Batch jobs do not declare their send volume'], ['technical', 'No client-side rate limiter for the provider']],
    immediate: ['Pause the reminder job'],
    structural: [['Shared rate limiter for outbound providers', 'capacity limits']],
    runbook: { title: 'Notifications: provider rate limit', checks: ['429s from the provider', 'Running batch jobs'], commands: ['warroomctl jobs pause reminders'], decisions: ['Pause batch jobs before touching transactional sends'] },
  },
  {
    key: 'api-gateway-config', services: ['api-gateway', 'edge'], weight: 5,
    titles: ['API gateway routing to wrong backend', 'Public API 404s after config change', 'Gateway config push broke routes'],
    summary: 'A gateway configuration push removed a route prefix and public API calls returned 404 until it was reverted.',
    trigger: 'A manual config edit applied to production instead of staging.',
    detection: 'The 4xx anomaly alert fired within three minutes.',
    factors: [['human_factors', 'Staging and production consoles look identical'], ['process', 'Gateway config is edited by hand, not reviewed'], ['tooling', 'No config diff before apply']],
    immediate: ['Revert the gateway config'],
    structural: [['Gateway config as code with review', 'configuration drift'], ['Make production consoles visually distinct', 'human error traps']],
    runbook: { title: 'API gateway: bad config push', checks: ['Gateway config history', '4xx rate by route'], commands: ['warroomctl gateway config revert --to last-good'], decisions: ['Revert immediately if a config push happened in the last 30 minutes'] },
  },
  {
    key: 'postgres-disk', services: ['postgres', 'billing'], weight: 4,
    titles: ['Primary database disk almost full', 'Billing writes failing: disk full'],
    summary: 'The billing database primary ran out of disk because WAL files piled up behind a stuck replication slot.',
    trigger: 'A decommissioned replica left its replication slot behind.',
    detection: 'The disk alert fired at 90%, leaving under an hour.',
    factors: [['technical', 'Abandoned replication slot retained WAL'], ['process', 'Replica decommissioning has no checklist']],
    immediate: ['Drop the abandoned replication slot'],
    structural: [['Alert on replication slot lag and inactive slots', 'detection gaps'], ['Decommissioning checklist for database replicas', 'operational hygiene']],
    runbook: { title: 'Postgres: disk filling with WAL', checks: ['`select * from pg_replication_slots`', 'Disk usage trend'], commands: ["psql -c \"select pg_drop_replication_slot('name')\""], decisions: ['Only drop inactive slots; ask the data team before dropping an active one'] },
  },
  {
    key: 'billing-invoices', services: ['billing'], weight: 3,
    titles: ['Duplicate invoices sent', 'Invoice run failed'],
    summary: 'The monthly invoice run sent duplicates to some customers after a retry of a partially completed batch.',
    trigger: 'The invoice job was retried by the scheduler after a timeout.',
    detection: 'Customers replied to the invoices.',
    factors: [['technical', 'Invoice job is not idempotent'], ['process', 'No dry run before the monthly run']],
    immediate: ['Send a correction email and void duplicates'],
    structural: [['Idempotency keys on invoice creation', 'data integrity']],
    runbook: { title: 'Billing: invoice run problems', checks: ['Invoice counts per customer this cycle'], commands: ['warroomctl billing invoices void --duplicates --cycle current'], decisions: ['Stop the scheduler before any retry'] },
  },
  {
    key: 'cdn-cache', services: ['cdn', 'web'], weight: 4,
    titles: ['Site slow: CDN cache miss storm', 'Static assets failing to load', 'CDN purge caused origin overload'],
    summary: 'A full CDN purge sent all traffic to origin, which could not keep up; pages loaded slowly or not at all.',
    trigger: 'A full purge was used instead of a path purge.',
    detection: 'Latency alert fired after eight minutes.',
    factors: [['human_factors', 'The purge-all button sits next to purge-path'], ['technical', 'Origin cannot serve a cold cache']],
    immediate: ['Enable origin shielding'],
    structural: [['Require confirmation and rate-limit full purges', 'human error traps']],
    runbook: { title: 'CDN: origin overloaded after purge', checks: ['Cache hit ratio', 'Origin CPU'], commands: ['warroomctl cdn shield on'], decisions: ['Shield first, then scale origin'] },
  },
  {
    key: 'k8s-nodes', services: ['kubernetes', 'orders'], weight: 3,
    titles: ['Pods evicted: node pool out of memory', 'Cluster autoscaler stuck'],
    summary: 'Pods were evicted across the cluster because the autoscaler could not add nodes after a quota change.',
    trigger: 'Cloud quota for the instance type was lowered.',
    detection: 'Pending pods alert fired within five minutes.',
    factors: [['technical', 'Autoscaler limited to one instance type'], ['process', 'Quota changes not communicated']],
    immediate: ['Add a second instance type to the node pool'],
    structural: [['Quota headroom alert', 'capacity limits']],
    runbook: { title: 'Kubernetes: nodes not scaling', checks: ['Autoscaler events', 'Cloud quota usage'], commands: ['kubectl -n kube-system logs deploy/cluster-autoscaler'], decisions: ['If quota: request an increase and add an alternative instance type'] },
  },
  {
    key: 'dns', services: ['dns', 'edge'], weight: 2,
    titles: ['DNS resolution failures', 'Internal DNS timeouts'],
    summary: 'Services failed to resolve each other because internal DNS pods were overloaded.',
    trigger: 'A client library stopped caching lookups.',
    detection: 'Error spikes across many services at once.',
    factors: [['technical', 'DNS pods under-provisioned'], ['tooling', 'No DNS latency metrics']],
    immediate: ['Scale DNS pods'],
    structural: [['Node-local DNS cache', 'single points of failure']],
    runbook: { title: 'DNS: resolution failures', checks: ['CoreDNS latency and errors'], commands: ['kubectl -n kube-system scale deploy/coredns --replicas=6'], decisions: ['If many services fail at once, check DNS first'] },
  },
  {
    key: 'reporting-etl', services: ['reporting', 'data-warehouse'], weight: 3,
    titles: ['Daily reports missing', 'ETL job failed overnight'],
    summary: 'Daily business reports were missing because the overnight ETL job failed on a schema change.',
    trigger: 'An upstream column was renamed.',
    detection: 'Finance asked where the reports were.',
    factors: [['process', 'Schema changes not announced to data consumers'], ['tooling', 'ETL failures email a shared inbox']],
    immediate: ['Rerun ETL with the mapping fixed'],
    structural: [['Schema contracts between producers and the warehouse', 'data integrity']],
    runbook: { title: 'Reporting: ETL failed', checks: ['Airflow DAG status'], commands: ['airflow dags trigger daily_reports'], decisions: ['If a schema changed: fix the mapping, do not hand-edit tables'] },
  },
  {
    key: 'mobile-api', services: ['mobile-api', 'auth'], weight: 3,
    titles: ['Mobile app cannot load home feed', 'Mobile API 502s'],
    summary: 'The mobile home feed failed to load because the mobile API timed out waiting for a slow dependency.',
    trigger: 'A recommendation service slowdown.',
    detection: 'App store reviews and support tickets.',
    factors: [['technical', 'No timeout on the recommendation call'], ['tooling', 'Mobile errors not in on-call dashboards']],
    immediate: ['Add a 500 ms timeout with an empty fallback'],
    structural: [['Timeouts and fallbacks for every dependency of the feed', 'single points of failure']],
    runbook: { title: 'Mobile API: feed failing', checks: ['Mobile API p95 by dependency'], commands: ['warroomctl flag set mobile.recommendations=off'], decisions: ['Turn off recommendations before scaling'] },
  },
];

export const SERVICES = [...new Set(FAILURE_MODES.flatMap((m) => m.services))].sort();

export const TIMELINE_LINES = [
  'Alert fired and paged on-call',
  'On-call acknowledged and opened the war room',
  'Checked recent deploys',
  'Confirmed customer impact from dashboards',
  'Identified the likely cause',
  'Applied mitigation',
  'Error rate back to baseline',
  'Monitoring for recurrence',
] as const;

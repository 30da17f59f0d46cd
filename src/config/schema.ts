import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { isRegularExpression } from '../lib/patterns.js';

/**
 * Every setting comes from the environment and is validated here, once, at boot.
 * Keys listed in SECRET_KEYS are never printed: `describeConfig` masks them and
 * connection URLs have their password removed.
 */
export const SECRET_KEYS = new Set<string>([
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'OPENAI_API_KEY',
  'ENCRYPTION_KEYS',
  'SMTP_URL',
  'BOARD_PASSWORD',
  'GITHUB_WEBHOOK_SECRET',
  'INCIDENT_WEBHOOK_SECRET',
  'DOWNLOAD_SIGNING_SECRET',
]);

const url = (protocols: string[], what: string) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${what} URL (${protocols.map((p) => p + '//').join(' or ')}…)` },
  );

const int = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'PostgreSQL').default('postgres://postgres@127.0.0.1:5432/aexy'),
  REDIS_URL: url(['redis:', 'rediss:'], 'Redis').default('redis://127.0.0.1:6379'),
  /**
   * Redis Cluster: the nodes to start from ("host:port,host:port"); every connection is then a
   * cluster connection (REDIS_URL's user, password and TLS apply to each node), and QUEUE_PREFIX
   * must hold a {hash tag}.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, 'must be host:port pairs separated by commas')
    .optional(),
  /** Repository syncs split over this many github-sync shard queues by a hash of the repository (1: no shards). */
  GITHUB_SYNC_SHARDS: int(1, 256).default(1),
  /** The shards this worker consumes ("0,2"), of GITHUB_SYNC_SHARDS; unset: all of them. */
  GITHUB_SYNC_SHARDS_OWNED: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3})*$/, 'must be shard numbers separated by commas')
    .optional(),
  /** BullMQ key prefix; wrap it in {braces} to keep every key of a queue in one Redis Cluster slot. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}:.-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ - . : { }')
    .default('aexy'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines in a terminal, JSON elsewhere; `json` or `pretty` to choose. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { message: 'must be auto, json or pretty' }).default('auto'),
  WORKER_CONCURRENCY: int(1, 256).default(4),
  /** Job lock: a worker that dies holding a job loses it after this long (then the stalled check re-queues it). */
  WORKER_LOCK_MS: int(1_000, 600_000).default(30_000),
  /** How often workers look for stalled jobs (jobs whose worker died). */
  WORKER_STALLED_INTERVAL_MS: int(500, 600_000).default(30_000),
  /** How long a graceful shutdown waits for in-flight jobs before giving up. */
  SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  EXPORT_DIR: z.string().min(1, 'must not be empty').default('./var/exports'),
  /** How long an export file is kept before the cleanup deletes it. */
  EXPORT_TTL_HOURS: int(1, 24 * 365).default(72),
  /** Pending exports older than this with no queued job are re-queued by the cleanup. */
  EXPORT_ORPHAN_MINUTES: int(1, 1_440).default(5),

  // GitHub sync.
  GITHUB_API_URL: url(['http:', 'https:'], 'HTTP(S)').default('https://api.github.com'),
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** A GitHub App (with its private key): each GitHub account it is installed on syncs with that installation's tokens and budget. */
  GITHUB_APP_ID: z
    .string()
    .regex(/^\d{1,12}$/, "must be the App's numeric id")
    .optional(),
  GITHUB_APP_PRIVATE_KEY: z
    .string()
    // A .env file holds it on one line, its newlines written as \n.
    .transform((v) => v.replace(/\\n/g, '\n').trim())
    .refine((v) => {
      try {
        createPrivateKey(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be the PEM private key GitHub generated for the App (newlines may be written as \\n)')
    .optional(),
  /** Where commits come from: `git` (a bare mirror per repository; the API only names authors) or `api` (a REST request per commit). */
  GITHUB_COMMITS_FROM: z.enum(['git', 'api'], { message: 'must be git or api' }).default('git'),
  GITHUB_PULLS_FROM: z.enum(['graphql', 'rest'], { message: 'must be graphql or rest' }).default('graphql'),
  GITHUB_DEPLOYMENTS_FROM: z.enum(['graphql', 'rest'], { message: 'must be graphql or rest' }).default('graphql'),
  /** The environments that are production (a case-insensitive regular expression over the environment's name). */
  PRODUCTION_ENVIRONMENT_PATTERN: z.string().default('^(prod|production|live)$').refine(isRegularExpression, 'must be a regular expression'),
  /** GitHub's git host (clones and fetches over HTTPS). */
  GITHUB_GIT_URL: url(['http:', 'https:'], 'HTTP(S)').default('https://github.com'),
  /** The bare mirrors of the tracked repositories. */
  GIT_MIRROR_DIR: z.string().min(1).default('var/git-mirrors'),
  /** How long one git command (a clone, a fetch, a log) may take. */
  GIT_TIMEOUT_MS: int(1_000, 3_600_000).default(600_000),
  GITHUB_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  INCIDENT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How far back the first sync of a repository reaches (days; 0 = the whole history). */
  GITHUB_SYNC_INITIAL_DAYS: int(0, 36_500).default(365),
  /** Cursor overlap: each incremental sync re-reads this many minutes before the cursor (clock skew, late pushes). */
  GITHUB_SYNC_OVERLAP_MINUTES: int(0, 1_440).default(5),
  /** How often a Jira sync also checks the stored issues against the site, for the ones deleted there (hours). */
  JIRA_RECONCILE_HOURS: int(1, 8_760).default(24),
  /** Period of the scheduled re-sync of every tracked repository (minutes). */
  GITHUB_SYNC_EVERY_MINUTES: int(1, 10_080).default(60),
  /** Rate-limit waits up to this long happen in-process; longer ones park the job until the reset. */
  GITHUB_MAX_INLINE_WAIT_SECONDS: int(0, 300).default(5),
  /** Base delay of the 5xx retry backoff (retry n waits n² × this). */
  GITHUB_RETRY_BASE_MS: int(0, 60_000).default(1_000),
  /** How long one GitHub HTTP request may take before it is abandoned (and retried). */
  GITHUB_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /**
   * Logins that are bots although GitHub calls them users (CI accounts, mirrors), comma-separated;
   * GitHub's type "Bot" and logins ending in "[bot]" are bots anyway.
   */
  GITHUB_BOT_LOGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,38}(\[bot\])?$/, 'must be GitHub logins separated by commas'))),

  // Report delivery by email.
  /** smtp://user:pass@host:port or smtps://…; unset = email delivery fails with a clear error. */
  SMTP_URL: url(['smtp:', 'smtps:'], 'SMTP').optional(),
  MAIL_FROM: z.string().min(3).default('Aexy Reports <reports@aexy.local>'),
  /** Connecting, the greeting, and each silence of the SMTP server are bounded by this. */
  SMTP_TIMEOUT_MS: int(100, 600_000).default(30_000),

  // Predictive insights.
  /** Any OpenAI-compatible server; unset OPENAI_MODEL = heuristic-v1 only. */
  OPENAI_BASE_URL: url(['http:', 'https:'], 'HTTP(S)').optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_MODEL: z.string().min(1).max(90).optional(),
  LLM_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /** Insight jobs processed at once per worker (LLM calls in flight). */
  LLM_CONCURRENCY: int(1, 64).default(2),
  /** Chat completions per UTC day, all workers together; beyond it insights use heuristic-v1. 0 = no LLM. */
  LLM_DAILY_REQUESTS: int(0, 10_000_000).default(2_000),
  /** Tokens (prompt + completion) per UTC day, all workers together; beyond it insights use heuristic-v1. */
  LLM_DAILY_TOKENS: int(0, 10_000_000_000).default(2_000_000),
  /** The window whose activity makes a developer or team "active": they get insights without being asked. */
  INSIGHT_ACTIVE_DAYS: int(7, 365).default(30),
  /** A risk score at or above this, newly reached, posts a Slack alert. */
  INSIGHT_ALERT_THRESHOLD: z.coerce.number().min(0).max(1).default(0.7),

  // Retention (retention.prune, daily): days kept of each kind; 0 keeps everything.
  RETENTION_INSIGHT_DAYS: int(0, 36_500).default(180),
  RETENTION_SLACK_LOG_DAYS: int(0, 36_500).default(90),
  RETENTION_HTTP_CACHE_DAYS: int(0, 36_500).default(30),
  RETENTION_EXPORT_ROW_DAYS: int(0, 36_500).default(30),
  RETENTION_REPORT_DELIVERY_DAYS: int(0, 36_500).default(400),
  /** Rows deleted per statement, and statements per kind and run: bounded work, short locks. */
  RETENTION_BATCH_SIZE: int(1, 100_000).default(1_000),
  RETENTION_MAX_BATCHES: int(1, 100_000).default(100),

  // Slack.
  SLACK_API_URL: url(['http:', 'https:'], 'HTTP(S)').default('https://slack.com/api/'),
  /** How long one Slack API call may take before it is abandoned (and retried). */
  SLACK_TIMEOUT_MS: int(100, 600_000).default(30_000),
  /**
   * Encryption keys for secrets at rest (Slack bot tokens): "keyId:base64-32-bytes[,keyId:…]". The first
   * key encrypts; every listed key can decrypt, so keys rotate by putting a new one first.
   */
  ENCRYPTION_KEYS: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=)*$/,
      'must be "keyId:base64 of 32 bytes" entries separated by commas',
    )
    .refine((v) => {
      const ids = v.split(',').map((e) => e.split(':')[0]);
      return new Set(ids).size === ids.length;
    }, 'names a key id twice')
    .optional(),

  // Operator HTTP process (Bull Board, health, metrics, webhooks, signed export downloads).
  /** Where people reach the HTTP process (`npm run board`), for the download links in Slack messages. */
  PUBLIC_URL: url(['http:', 'https:'], 'HTTP(S)').optional(),
  /** The HMAC key of the signed download links (`GET /exports/:id?expires=…&sig=…`). */
  DOWNLOAD_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BOARD_HOST: z.string().min(1).default('127.0.0.1'),
  BOARD_PORT: int(0, 65_535).default(3000),
  BOARD_USER: z.string().min(1, 'must not be empty').optional(),
  BOARD_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Only for local development: serve Bull Board without authentication. */
  BOARD_AUTH_DISABLED: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
});

export type AppConfig = z.infer<typeof envSchema>;

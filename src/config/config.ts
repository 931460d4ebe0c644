import { Ajv } from 'ajv';

// Configuration comes from the environment only, validated once at start.
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** esdb://… selects EventStoreDB; unset means the Postgres event store. */
  eventStoreUrl: string | null;
  role: 'all' | 'api' | 'projector' | 'worker';
  logLevel: string;
  redisPrefix: string;
  /** Secret for the keyed hash that makes email reservations unguessable. */
  emailHashKey: string;
  /** OMS_DEV_KEYS: the built-in development keys stand in for unset ones (local use only). */
  devKeys: boolean;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  webhooksAllowPrivateNetworks: boolean;
  /** Base delay of the webhook retry backoff; 13 attempts at 30 s span about 34 hours. */
  webhookBackoffMs: number;
  webhookAttempts: number;
  webhookTimeoutMs: number;
  /** Available at or below this after a change that crossed it → inventory.low. */
  inventoryLowThreshold: number;
  /** How soon a job held by a dead worker is handed to another one. */
  workerLockMs: number;
  /** Wraps the per-customer data keys (32 bytes); `previous` still unwraps during a rotation. */
  masterKey: { current: Buffer; previous: Buffer | null };
  /** Requests per second per credential (bursts up to twice that); 0 turns limiting off. */
  rateLimitPerSecond: number;
  /** Requests per second per client address without a valid credential (bursts up to twice that); 0: off. */
  rateLimitPerAddress: number;
  /** OAuth access tokens: signing keys (PEM or JWK text, or a file path) and claims. */
  jwt: {
    signingKey: string | null;
    signingKeyFile: string | null;
    previousKey: string | null;
    previousKeyFile: string | null;
    issuer: string;
    audience: string;
    ttlSeconds: number;
  };
  /** Origins allowed to call the API from a browser (CORS); empty: none. */
  corsOrigins: string[];
  /** Trust X-Forwarded-Proto/For/Host from a reverse proxy in front (Koa app.proxy). */
  trustProxy: boolean;
  /** PEM files: both set → the API serves HTTPS itself. */
  tls: { certFile: string; keyFile: string } | null;
  /** Per-request deadline: a request still running after this is answered 503. */
  requestTimeoutMs: number;
  /** /readyz answers 503 naming a projection that has been failing for longer than this (0: never). */
  projectionStuckMs: number;
  /** A port on which this process serves its own /metrics (projector and worker processes); null: none. */
  metricsPort: number | null;
  /**
   * Postgres event store: how often a caught-up projector (or the job dispatcher) reads the log
   * when no NOTIFY woke it. Notifications wake it at once; this is the safety net.
   */
  projectorPollMs: number;
}

// 32 bytes, base64 (`openssl rand -base64 32`).
const MASTER_KEY_PATTERN = '^[A-Za-z0-9+/]{43}=$';
// The development keys are in this public source, so they protect nothing: the service takes them
// only with OMS_DEV_KEYS=1 (`npm start`, the tests), and refuses them as real keys.
export const DEVELOPMENT_MASTER_KEY = Buffer.alloc(32, 'oms-local-development-master-key').toString('base64');
export const DEVELOPMENT_EMAIL_HASH_KEY = 'local-development-only-email-hash-key';

/** What a config error says about a variable instead of echoing its value (values may be secrets). */
const HINTS: Record<string, string> = {
  OMS_MASTER_KEY: 'must be 32 random bytes in base64, 44 characters ending in "=" (openssl rand -base64 32)',
  OMS_MASTER_KEY_PREVIOUS: 'must be 32 random bytes in base64, 44 characters ending in "=" (openssl rand -base64 32)',
  OMS_EMAIL_HASH_KEY: 'must be at least 16 characters (openssl rand -base64 32)',
};

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'string', pattern: '^[0-9]{1,5}$' },
    HOST: { type: 'string', minLength: 1 },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    EVENTSTORE_URL: { type: 'string', pattern: '^(esdb(\\+discover)?://.+)?$' },
    OMS_ROLE: { enum: ['all', 'api', 'projector', 'worker'] },
    LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    OMS_REDIS_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    OMS_DEV_KEYS: { enum: ['0', '1', 'true', 'false'] },
    OMS_EMAIL_HASH_KEY: { type: 'string', minLength: 16 },
    OMS_MASTER_KEY: { type: 'string', pattern: MASTER_KEY_PATTERN },
    OMS_MASTER_KEY_PREVIOUS: { type: 'string', pattern: MASTER_KEY_PATTERN },
    OMS_BODY_LIMIT_BYTES: { type: 'string', pattern: '^[0-9]{1,9}$' },
    OMS_SHUTDOWN_TIMEOUT_MS: { type: 'string', pattern: '^[0-9]{1,7}$' },
    OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: { enum: ['0', '1', 'true', 'false'] },
    OMS_WEBHOOK_BACKOFF_MS: { type: 'string', pattern: '^[0-9]{1,9}$' },
    OMS_WEBHOOK_ATTEMPTS: { type: 'string', pattern: '^[1-9][0-9]?$' },
    OMS_WEBHOOK_TIMEOUT_MS: { type: 'string', pattern: '^[0-9]{2,6}$' },
    OMS_INVENTORY_LOW_THRESHOLD: { type: 'string', pattern: '^[0-9]{1,9}$' },
    OMS_WORKER_LOCK_MS: { type: 'string', pattern: '^[0-9]{3,7}$' },
    OMS_RATE_LIMIT_PER_SECOND: { type: 'string', pattern: '^[0-9]{1,6}$' },
    OMS_RATE_LIMIT_PER_ADDRESS: { type: 'string', pattern: '^[0-9]{1,6}$' },
    OMS_JWT_SIGNING_KEY: { type: 'string', minLength: 32 },
    OMS_JWT_SIGNING_KEY_FILE: { type: 'string', minLength: 1 },
    OMS_JWT_PREVIOUS_KEY: { type: 'string', minLength: 32 },
    OMS_JWT_PREVIOUS_KEY_FILE: { type: 'string', minLength: 1 },
    OMS_JWT_ISSUER: { type: 'string', minLength: 1, maxLength: 512 },
    OMS_JWT_AUDIENCE: { type: 'string', minLength: 1, maxLength: 512 },
    OMS_OAUTH_TOKEN_TTL_SECONDS: { type: 'string', pattern: '^[1-9][0-9]{0,4}$' },
    OMS_CORS_ORIGINS: { type: 'string', pattern: '^https?://[^,\\s]+(,https?://[^,\\s]+)*$' },
    OMS_TRUST_PROXY: { enum: ['0', '1', 'true', 'false'] },
    OMS_TLS_CERT_FILE: { type: 'string', minLength: 1 },
    OMS_TLS_KEY_FILE: { type: 'string', minLength: 1 },
    OMS_REQUEST_TIMEOUT_MS: { type: 'string', pattern: '^[0-9]{3,7}$' },
    OMS_PROJECTION_STUCK_SECONDS: { type: 'string', pattern: '^[0-9]{1,6}(\\.[0-9]{1,3})?$' },
    OMS_METRICS_PORT: { type: 'string', pattern: '^[0-9]{1,5}$' },
    OMS_PROJECTOR_POLL_MS: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' },
  },
} as const;

export const DEFAULTS = {
  PORT: '3000',
  HOST: '0.0.0.0',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/oms',
  REDIS_URL: 'redis://127.0.0.1:6379',
  OMS_ROLE: 'all',
  LOG_LEVEL: 'info',
  OMS_REDIS_PREFIX: 'oms',
  OMS_DEV_KEYS: '0',
  OMS_BODY_LIMIT_BYTES: String(1024 * 1024),
  OMS_SHUTDOWN_TIMEOUT_MS: '10000',
  OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: '0',
  OMS_WEBHOOK_BACKOFF_MS: '30000',
  OMS_WEBHOOK_ATTEMPTS: '13',
  OMS_WEBHOOK_TIMEOUT_MS: '10000',
  OMS_INVENTORY_LOW_THRESHOLD: '5',
  OMS_WORKER_LOCK_MS: '30000',
  OMS_RATE_LIMIT_PER_SECOND: '100',
  OMS_RATE_LIMIT_PER_ADDRESS: '20',
  OMS_JWT_ISSUER: 'urn:nh-logistics:oms',
  OMS_JWT_AUDIENCE: 'urn:nh-logistics:oms:api',
  OMS_OAUTH_TOKEN_TTL_SECONDS: '900',
  OMS_TRUST_PROXY: '0',
  OMS_REQUEST_TIMEOUT_MS: '30000',
  OMS_PROJECTION_STUCK_SECONDS: '60',
  OMS_PROJECTOR_POLL_MS: '1000',
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The whole configuration, for anything that touches personal data or email reservations. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(env, true);
}

/** Settings without the secret keys, for operator commands that never use them (migrate, api-keys, jobs…). */
export type ConfigWithoutKeys = Omit<Config, 'masterKey' | 'emailHashKey' | 'devKeys'>;

export function loadConfigWithoutKeys(env: NodeJS.ProcessEnv = process.env): ConfigWithoutKeys {
  const { masterKey: _m, emailHashKey: _e, devKeys: _d, ...rest } = parseConfig(env, false);
  return rest;
}

function parseConfig(env: NodeJS.ProcessEnv, requireKeys: boolean): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') relevant[key] = v;
  }
  const validate = new Ajv({ allErrors: true }).compile(schema);
  if (!validate(relevant)) {
    // The variable and what is wrong with it, never its value: a mistyped secret must not reach the logs.
    const lines = [...new Set((validate.errors ?? []).map((e) => e.instancePath.slice(1)))].map((key) => {
      const message = (validate.errors ?? []).find((e) => e.instancePath.slice(1) === key)?.message;
      return `  ${key}: ${HINTS[key] ?? message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const get = (k: keyof typeof DEFAULTS) => relevant[k] ?? DEFAULTS[k];
  const port = Number(get('PORT'));
  if (port > 65535) throw new ConfigError('invalid configuration:\n  PORT: must be at most 65535');
  const metricsPort = relevant.OMS_METRICS_PORT === undefined ? null : Number(relevant.OMS_METRICS_PORT);
  if (metricsPort !== null && (metricsPort < 1 || metricsPort > 65535))
    throw new ConfigError('invalid configuration:\n  OMS_METRICS_PORT: must be 1 to 65535');
  const devKeys = ['1', 'true'].includes(get('OMS_DEV_KEYS'));
  const keyProblems = devKeys || !requireKeys ? [] : secretKeyProblems(relevant);
  if (keyProblems.length) throw new ConfigError(`invalid configuration:\n${keyProblems.join('\n')}`);
  const certFile = relevant.OMS_TLS_CERT_FILE;
  const keyFile = relevant.OMS_TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError('invalid configuration:\n  OMS_TLS_CERT_FILE and OMS_TLS_KEY_FILE must be set together');
  }
  return {
    port,
    host: get('HOST'),
    databaseUrl: get('DATABASE_URL'),
    redisUrl: get('REDIS_URL'),
    eventStoreUrl: relevant.EVENTSTORE_URL ?? null,
    role: get('OMS_ROLE') as Config['role'],
    logLevel: get('LOG_LEVEL'),
    redisPrefix: get('OMS_REDIS_PREFIX'),
    emailHashKey: relevant.OMS_EMAIL_HASH_KEY ?? DEVELOPMENT_EMAIL_HASH_KEY,
    devKeys,
    masterKey: {
      current: Buffer.from(relevant.OMS_MASTER_KEY ?? DEVELOPMENT_MASTER_KEY, 'base64'),
      previous: relevant.OMS_MASTER_KEY_PREVIOUS ? Buffer.from(relevant.OMS_MASTER_KEY_PREVIOUS, 'base64') : null,
    },
    bodyLimitBytes: Number(get('OMS_BODY_LIMIT_BYTES')),
    shutdownTimeoutMs: Number(get('OMS_SHUTDOWN_TIMEOUT_MS')),
    webhooksAllowPrivateNetworks: ['1', 'true'].includes(get('OMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS')),
    webhookBackoffMs: Number(get('OMS_WEBHOOK_BACKOFF_MS')),
    webhookAttempts: Number(get('OMS_WEBHOOK_ATTEMPTS')),
    webhookTimeoutMs: Number(get('OMS_WEBHOOK_TIMEOUT_MS')),
    inventoryLowThreshold: Number(get('OMS_INVENTORY_LOW_THRESHOLD')),
    workerLockMs: Number(get('OMS_WORKER_LOCK_MS')),
    rateLimitPerSecond: Number(get('OMS_RATE_LIMIT_PER_SECOND')),
    rateLimitPerAddress: Number(get('OMS_RATE_LIMIT_PER_ADDRESS')),
    jwt: {
      signingKey: relevant.OMS_JWT_SIGNING_KEY ?? null,
      signingKeyFile: relevant.OMS_JWT_SIGNING_KEY_FILE ?? null,
      previousKey: relevant.OMS_JWT_PREVIOUS_KEY ?? null,
      previousKeyFile: relevant.OMS_JWT_PREVIOUS_KEY_FILE ?? null,
      issuer: get('OMS_JWT_ISSUER'),
      audience: get('OMS_JWT_AUDIENCE'),
      ttlSeconds: Number(get('OMS_OAUTH_TOKEN_TTL_SECONDS')),
    },
    corsOrigins: relevant.OMS_CORS_ORIGINS
      ? relevant.OMS_CORS_ORIGINS.split(',').map((o) => o.replace(/\/+$/, ''))
      : [],
    trustProxy: ['1', 'true'].includes(get('OMS_TRUST_PROXY')),
    tls: certFile && keyFile ? { certFile, keyFile } : null,
    requestTimeoutMs: Number(get('OMS_REQUEST_TIMEOUT_MS')),
    projectionStuckMs: Math.round(Number(get('OMS_PROJECTION_STUCK_SECONDS')) * 1000),
    metricsPort,
    projectorPollMs: Number(get('OMS_PROJECTOR_POLL_MS')),
  };
}

/**
 * Without OMS_DEV_KEYS both secrets must be set, and not to the development values published in
 * this source. (OMS_MASTER_KEY_PREVIOUS may be the development key: that is how a deployment that
 * ran on it rotates away from it.)
 */
function secretKeyProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  const unset =
    'is not set; generate one with `openssl rand -base64 32` (or set OMS_DEV_KEYS=1 for local development only)';
  const published = 'is the development key published in the source; generate your own with `openssl rand -base64 32`';
  if (env.OMS_MASTER_KEY === undefined) problems.push(`  OMS_MASTER_KEY ${unset}`);
  else if (env.OMS_MASTER_KEY === DEVELOPMENT_MASTER_KEY) problems.push(`  OMS_MASTER_KEY ${published}`);
  if (env.OMS_EMAIL_HASH_KEY === undefined) problems.push(`  OMS_EMAIL_HASH_KEY ${unset}`);
  else if (env.OMS_EMAIL_HASH_KEY === DEVELOPMENT_EMAIL_HASH_KEY) problems.push(`  OMS_EMAIL_HASH_KEY ${published}`);
  return problems;
}

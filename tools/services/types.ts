// The shapes shared by the steps of ensureServices() (see index.ts).

export interface EnsuredServices {
  databaseUrl: string;
  redisUrl: string;
  /** What this call started, e.g. "postgres (local binary, port 54321)". */
  started: string[];
  /** Stops what this call started (nothing else). Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EnsureOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Where private instances keep their data: <dataDir>/postgres, <dataDir>/redis. */
  dataDir: string;
  log?: (msg: string) => void;
  /** Try `docker compose` (step 2). Default true. */
  docker?: boolean;
  /** Allow `apt-get install` as root on Debian (step 4). Default true. */
  install?: boolean;
}

export type Log = (msg: string) => void;

export interface Instance {
  url: string;
  label: string | null;
  stop: () => Promise<void>;
}

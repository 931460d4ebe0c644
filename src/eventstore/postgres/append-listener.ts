import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgConnection } from '../../db/ssl.ts';

/** The channel es_events' trigger notifies on commit of a transaction that appended (migrations/). */
export const APPEND_CHANNEL = 'oms_es_appended';
export const LISTENER_APPLICATION_NAME = 'oms-append-listener';

export interface AppendListenerOptions {
  /** First reconnect delay; doubles per failed attempt up to maxReconnectMs. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** Told when a connection is lost or cannot be made (it is retried). */
  onError?: (err: unknown) => void;
  /** The channel to LISTEN on (default: the event log's, APPEND_CHANNEL). */
  channel?: string;
  applicationName?: string;
}

/**
 * LISTENs for appends on a dedicated connection (a pooled one would drop the LISTEN when it is
 * handed back). Calls `onWake` for each notification, with the appending transaction's id (the
 * Position.commit of its events); once after every (re)connect, since appends
 * committed while it was not listening were never announced; and when the connection is lost, so
 * readers waiting for a notification go back to polling. It reconnects with backoff; `listening`
 * is false meanwhile.
 */
export class AppendListener {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private lost: (() => void) | null = null;
  private readonly databaseUrl: string;
  private readonly onWake: (commit?: bigint) => void;
  private readonly options: AppendListenerOptions;
  /** True while a connection is LISTENing. */
  listening = false;
  /** Notifications received (over all connections). */
  notifications = 0;

  constructor(databaseUrl: string, onWake: (commit?: bigint) => void, options: AppendListenerOptions = {}) {
    this.databaseUrl = databaseUrl;
    this.onWake = onWake;
    this.options = options;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.lost?.();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    const first = this.options.reconnectMs ?? 100;
    let delay = first;
    while (!this.stopped) {
      try {
        await this.listenUntilLost();
        delay = first; // it was listening: the next attempt starts the backoff afresh
      } catch (err) {
        if (this.stopped) break;
        this.options.onError?.(err);
        delay = Math.min(delay * 2, this.options.maxReconnectMs ?? 5000);
      }
      await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => {});
    }
  }

  /** One connection: LISTEN, wake, then wait until it is lost (resolves) or cannot be made (throws). */
  private async listenUntilLost(): Promise<void> {
    const client = new pg.Client({
      ...pgConnection(this.databaseUrl),
      application_name: this.options.applicationName ?? LISTENER_APPLICATION_NAME,
      // A connection that died without a word (a network partition) is noticed, not waited on forever.
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    const lost = new Promise<void>((resolve) => {
      this.lost = resolve;
      client.on('error', (err) => {
        if (!this.stopped) this.options.onError?.(err);
        resolve();
      });
      client.on('end', () => resolve());
    });
    client.on('notification', (n) => {
      this.notifications++;
      this.onWake(n.payload && /^\d{1,20}$/.test(n.payload) ? BigInt(n.payload) : undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel ?? APPEND_CHANNEL}`);
      this.listening = true;
      this.onWake(); // whatever was appended before this LISTEN was not announced to us
      await lost;
    } finally {
      const wasListening = this.listening;
      this.listening = false;
      this.lost = null;
      if (wasListening && !this.stopped) this.onWake();
      await client.end().catch(() => {});
    }
  }
}

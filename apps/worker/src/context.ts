import type { Config } from '@airwave/config';
import type { PublicUrls } from '@airwave/core';
import type { Db } from '@airwave/db';
import type { Queues } from '@airwave/jobs';
import type { Storage } from '@airwave/storage';
import type { Ownership } from './ownership.js';
import type { SessionControl } from './session-control.js';
import type { Logger } from 'pino';

/** What every processor may use. Side effects beyond these stay inside the processor's module. */
export interface WorkerContext {
  config: Config;
  db: Db;
  queues: Queues;
  urls: PublicUrls;
  log: Logger;
  storage: Storage;
  control: SessionControl;
  ownership: Ownership;
}

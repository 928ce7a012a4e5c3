// pino's options for every Airwave process: JSON lines in production (LOG_FORMAT=json, the default),
// one readable, coloured line per event while developing (LOG_FORMAT=pretty, what `npm run up` sets).
// pino-pretty runs in pino's transport thread, off the event loop.
import type { Config } from './index.js';

export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>, base: Record<string, string>) {
  return {
    level: config.logLevel,
    base,
    ...(config.logFormat === 'pretty'
      ? {
          // pino-pretty prints pino's error key on lines of its own; our logs carry `err` as a message,
          // which belongs on the event's line (an Error object logged whole lands under `error`).
          errorKey: 'error',
          transport: {
            target: 'pino-pretty',
            options: {
              colorize: true,
              singleLine: true,
              errorLikeObjectKeys: ['error'],
              translateTime: 'SYS:HH:MM:ss.l',
              // The app's name is already on every line of `npm run up`; pid and host say nothing locally.
              ignore: 'pid,hostname,service',
            },
          },
        }
      : {}),
  };
}

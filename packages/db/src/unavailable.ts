// Whether an error means "the database cannot be reached right now" (an outage, a restart, a
// failover) rather than a bad query: callers answer 503 and retry instead of reporting a bug.
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseAccessDenied']);
const MESSAGES =
  /Can't reach database server|Connection terminated|terminating connection|the database system is (starting up|shutting down)|ECONNREFUSED|ECONNRESET|Connection closed/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string } } }; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind;
  if (kind && ADAPTER_KINDS.has(kind)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}

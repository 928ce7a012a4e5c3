// Per-API-key rate limit in Redis, shared by every API replica. The key is the hash of the bearer
// token (never the token itself); requests without one are limited by client address.
import rateLimit from '@fastify/rate-limit';
import { sha256Hex } from '@airwave/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { bearerToken } from '../app/auth.js';

export default fp(async function rateLimiter(app: FastifyInstance, opts: { redis: Redis; prefix: string; max: number; windowMs: number }) {
  await app.register(rateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowMs,
    redis: opts.redis,
    nameSpace: `${opts.prefix}:ratelimit:`,
    // A Redis outage must not take the API down with it: requests pass unlimited until it is back.
    skipOnError: true,
    keyGenerator: (request) => {
      const token = bearerToken(request);
      return token ? `key:${sha256Hex(token)}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      const err = new Error(`Rate limit of ${context.max} requests per ${context.after} exceeded`) as Error & { statusCode: number };
      err.statusCode = 429;
      return err;
    },
  });
});

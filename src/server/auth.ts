/**
 * The optional API token. When set, every /api/* route except health and the docs needs
 * `Authorization: Bearer <token>`. Webhooks (/hooks/*) are authenticated by the connector's signature
 * instead, and /metrics is left to the network (Prometheus scrapers rarely send tokens).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../core/errors.ts';
import { sendError } from './errors.ts';

const OPEN = [/^\/api\/health(?:[/?]|$)/, /^\/api\/docs(?:[/?]|$)/];

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares in constant time: both sides are hashed first, so lengths never differ. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

export function needsToken(url: string): boolean {
  return url.startsWith('/api/') && !OPEN.some((re) => re.test(url));
}

export function bearerAuth(apiToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!needsToken(request.url)) return;
    const header = request.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (tokenMatches(apiToken, m?.[1])) return;
    reply.header('www-authenticate', 'Bearer realm="orderflow"');
    const why = header === undefined ? 'the Authorization header is missing' : m ? 'the bearer token is not the configured API token' : 'the Authorization header is not of the form "Bearer <token>"';
    await sendError(reply, new UserError('OF_SERVER_UNAUTHORIZED', `${why}; send Authorization: Bearer <server.apiToken>`));
  };
}

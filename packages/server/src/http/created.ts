import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A 201 with `Location`: the new resource's URL, the collection's path (the request's, without its
 * query) and the new id — `POST /api/v2/customers/` → `/api/v2/customers/ZP-8B23CD41/`.
 */
export function replyCreated<T>(request: FastifyRequest, reply: FastifyReply, id: string, body: T) {
  const collection = (request.url.split('?')[0] ?? request.url).replace(/\/?$/, '/');
  return replyCreatedAt(reply, `${collection}${encodeURIComponent(id)}/`, body);
}

/** A 201 whose new resource lives outside the collection posted to (a redeem's coupon, an order's ledger entry). */
export function replyCreatedAt<T>(reply: FastifyReply, location: string, body: T) {
  return reply.code(201).header('location', location).send(body);
}

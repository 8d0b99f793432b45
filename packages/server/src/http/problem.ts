import type { FastifyReply } from 'fastify';
import { ERROR_CODES, type ErrorCode, type FieldError } from '../errors.js';

/** RFC 9457 problem document, with `errors` naming each field at fault on a 422. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export const PROBLEM_TYPE_BASE = 'https://zupy.dev/problems/';

export function buildProblem(
  code: ErrorCode,
  detail: string,
  instance: string,
  errors: readonly FieldError[] = [],
): Problem {
  const entry = ERROR_CODES[code];
  const problem: Problem = {
    type: PROBLEM_TYPE_BASE + entry.slug,
    title: entry.title,
    status: entry.status,
    detail,
    instance,
    code,
  };
  if (errors.length > 0) problem.errors = [...errors];
  return problem;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

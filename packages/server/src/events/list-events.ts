import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { apiTimestamp } from '../shared/timestamps.js';

export interface EventView {
  id: string;
  type: string;
  created_at: string;
  payload: unknown;
}

/** The company's events in the order they were recorded, after a cursor: for catching up by pulling. */
export async function listEvents(
  source: ListSource,
  companyId: string,
  query: { after?: string | undefined; type?: string | undefined; pageSize: number },
): Promise<Page<EventView>> {
  const after = source.cursors.decode(companyId, query.after, 'after');
  let q = source.db
    .selectFrom('events')
    .select(['seq', 'id', 'type', 'body', 'created_at'])
    .where('company_id', '=', companyId)
    .where('is_test', '=', 0)
    .orderBy('seq', 'asc')
    .limit(query.pageSize + 1);
  if (after !== undefined) q = q.where('seq', '>', after);
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  const rows = await q.execute();
  return toPage(
    rows,
    query.pageSize,
    (r) => Number(r.seq),
    (r) => ({
      id: r.id,
      type: r.type,
      created_at: apiTimestamp(r.created_at),
      payload: JSON.parse(r.body) as unknown,
    }),
    { cursors: source.cursors, companyId },
    { from: query.after },
  );
}

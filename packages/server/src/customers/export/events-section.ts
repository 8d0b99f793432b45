import { apiTimestamp } from '../../shared/timestamps.js';
import type { ExportSection } from './export-section.js';

/** `events`: every event recorded about the customer (what was sent to the receivers), oldest first. */
export const eventsSection: ExportSection = {
  key: 'events',
  async read(db, subject) {
    const rows = await db
      .selectFrom('events')
      .select(['id', 'type', 'body', 'created_at'])
      .where('company_id', '=', subject.companyId)
      .where('member_id', '=', subject.memberId)
      .where('is_test', '=', 0)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      created_at: apiTimestamp(r.created_at),
      payload: JSON.parse(r.body) as unknown,
    }));
  },
};

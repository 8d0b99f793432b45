import { apiTimestamp } from '../../shared/timestamps.js';
import { consentHistory } from '../marketing-consent.js';
import type { ExportSection } from './export-section.js';

/** `consent_history`: every marketing consent given or withdrawn, oldest first. */
export const consentSection: ExportSection = {
  key: 'consent_history',
  async read(db, subject) {
    const rows = await consentHistory(db, subject.companyId, subject.memberId);
    return rows.map((r) => ({
      medium: r.medium,
      opted_in: Number(r.opted_in) === 1,
      channel: r.channel,
      at: apiTimestamp(r.created_at),
    }));
  },
};

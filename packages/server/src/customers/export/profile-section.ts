import { toCustomerProfile } from '../customer-profile.js';
import type { ExportSection } from './export-section.js';

/** `profile`: the customer's profile as `GET /customers/{member_id}/` gives it. */
export const profileSection: ExportSection = {
  key: 'profile',
  read: (_db, subject) => Promise.resolve(toCustomerProfile(subject.customer)),
};

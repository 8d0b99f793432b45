import { generic } from './generic.js';
import type { PartnerAdapter } from './partner.js';
import { repediu } from './repediu.js';

/** The partners whose order feeds Zupy reads, by the `{partner}` of their URL. */
export const PARTNERS: Readonly<Record<string, PartnerAdapter>> = { generic, repediu };

export function partnerNamed(name: string): PartnerAdapter | undefined {
  return Object.hasOwn(PARTNERS, name) ? PARTNERS[name] : undefined;
}

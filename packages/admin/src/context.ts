import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api.js';
import type { Language, Translate } from './i18n.js';

export interface Session {
  t: Translate;
  me: Me;
  language: Language;
  navigate: (path: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in app');
  return session;
}

/** Paths inside the panel, under /admin. */
export function adminPath(path: string): string {
  return `/admin${path}`;
}

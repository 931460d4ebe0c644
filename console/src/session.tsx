import { createContext, useContext } from 'react';
import type { Me } from './api.ts';

/** The signed-in credential; `can(scope)` decides whether a write button is shown at all. */
export interface SessionInfo {
  me: Me;
  can: (scope: string) => boolean;
}

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

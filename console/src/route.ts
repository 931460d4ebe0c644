import { useEffect, useState } from 'react';

// Routing on the URL fragment (#/orders/ord_…): the server answers index.html for every /console
// path anyway, and the fragment never reaches a server log. Nothing secret goes in it.

const readRoute = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

export function useRoute(): string[] {
  const [parts, setParts] = useState(readRoute);
  useEffect(() => {
    const on = () => setParts(readRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parts;
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;
export const go = (...parts: string[]) => {
  window.location.hash = href(...parts);
};

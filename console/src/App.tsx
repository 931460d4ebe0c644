import { type FormEvent, useEffect, useState } from 'react';
import { ok, oms, type Problem, session } from './api.ts';
import { ProblemBanner } from './components/ProblemBanner.tsx';
import { AnalyticsPage } from './pages/Analytics.tsx';
import { InventoryPage } from './pages/Inventory.tsx';
import { OperationsPage } from './pages/Operations.tsx';
import { OrderPage } from './pages/Order.tsx';
import { OrdersPage } from './pages/Orders.tsx';
import { ShipmentsPage } from './pages/Shipments.tsx';
import { WebhooksPage } from './pages/Webhooks.tsx';
import { href, useRoute } from './route.ts';
import { SessionContext, type SessionInfo } from './session.tsx';
import { asProblem } from './useApi.ts';

const PAGES = [
  { path: 'orders', label: 'Orders', scope: 'orders:read' },
  { path: 'inventory', label: 'Inventory', scope: 'inventory:read' },
  { path: 'shipments', label: 'Shipments', scope: 'shipments:read' },
  { path: 'webhooks', label: 'Webhooks', scope: 'webhooks:manage' },
  { path: 'operations', label: 'Operations', scope: null },
  { path: 'analytics', label: 'Analytics', scope: 'analytics:read' },
] as const;

export function App() {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [checking, setChecking] = useState(session.key() !== null);

  async function signIn(key: string) {
    session.signIn(key);
    try {
      const me = await ok(oms.GET('/v1/me'));
      const scopes: readonly string[] = me.effectiveScopes;
      setInfo({ me, can: (s) => scopes.includes(s) });
      setProblem(null);
    } catch (err) {
      session.signOut();
      setProblem(asProblem(err));
    } finally {
      setChecking(false);
    }
  }

  // A reload of the tab keeps the key (sessionStorage): check it again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on load
  useEffect(() => {
    const key = session.key();
    if (key) void signIn(key);
  }, []);

  if (checking) return <p className="muted pad">Signing in…</p>;
  if (!info) return <SignIn onKey={signIn} problem={problem} />;
  return (
    <SessionContext.Provider value={info}>
      <Shell
        info={info}
        onSignOut={() => {
          session.signOut();
          setInfo(null);
        }}
      />
    </SessionContext.Provider>
  );
}

function SignIn({ onKey, problem }: { onKey: (key: string) => void; problem: Problem | null }) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) onKey(key.trim());
  };
  return (
    <main className="signin">
      <h1>OMS console</h1>
      <form onSubmit={submit}>
        <label>
          API key
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="oms.key_….…"
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <p className="muted">The key stays in this tab (sessionStorage) and is sent only to this API.</p>
      <ProblemBanner problem={problem} />
    </main>
  );
}

function Shell({ info, onSignOut }: { info: SessionInfo; onSignOut: () => void }) {
  const route = useRoute();
  const pages = PAGES.filter((p) => p.scope === null || info.can(p.scope));
  const current = route[0] ?? pages[0]?.path ?? 'operations';
  return (
    <div className="shell">
      <nav>
        <span className="brand">OMS console</span>
        {pages.map((p) => (
          <a key={p.path} href={href(p.path)} className={current === p.path ? 'active' : ''}>
            {p.label}
          </a>
        ))}
        <span className="who" data-testid="who">
          {info.me.tenant} · {info.me.credential.id} · {info.me.scopes.join(' ')}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </nav>
      <main>
        <Page route={route.length ? route : [current]} />
      </main>
    </div>
  );
}

function Page({ route }: { route: string[] }) {
  const [page, id] = route;
  switch (page) {
    case 'orders':
      return id ? <OrderPage id={id} /> : <OrdersPage />;
    case 'inventory':
      return <InventoryPage sku={id} />;
    case 'shipments':
      return <ShipmentsPage tracking={id} />;
    case 'webhooks':
      return <WebhooksPage endpointId={id} />;
    case 'operations':
      return <OperationsPage />;
    case 'analytics':
      return <AnalyticsPage />;
    default:
      return <p>Unknown page.</p>;
  }
}

import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, getApiKey, setApiKey, type Me } from './api.js';
import { adminPath, SessionContext, type Session } from './context.js';
import { initialLanguage, storeLanguage, translator, type Language, type MessageKey } from './i18n.js';
import { setTimeZone } from './format.js';
import { AuditPage } from './pages/audit.js';
import { CustomerProfilePage } from './pages/customer-profile.js';
import { CustomersPage } from './pages/customers.js';
import { DeliveriesPage, DeliveryDetailPage } from './pages/deliveries.js';
import { OverviewPage } from './pages/overview.js';
import { InboxPage } from './pages/inbox.js';
import { ProgramPage } from './pages/program.js';
import { RewardsPage } from './pages/rewards.js';
import { ValidateCouponPage } from './pages/validate-coupon.js';
import { SettingsPage } from './pages/settings.js';
import { SignIn } from './pages/sign-in.js';
import { WebhooksPage } from './pages/webhooks.js';

const NAV: [string, MessageKey][] = [
  ['/', 'nav.overview'],
  ['/customers', 'nav.customers'],
  ['/webhooks', 'nav.webhooks'],
  ['/deliveries', 'nav.deliveries'],
  ['/program', 'nav.program'],
  ['/inbox', 'nav.inbox'],
  ['/settings', 'nav.settings'],
  ['/rewards', 'nav.rewards'],
  ['/coupons', 'nav.validate'],
  ['/audit', 'nav.audit'],
];

/** The path inside the panel: `/admin/customers/ZP-1` → `/customers/ZP-1`. */
function currentRoute(): { path: string; query: URLSearchParams } {
  const path = location.pathname.replace(/^\/admin/, '').replace(/\/$/, '') || '/';
  return { path, query: new URLSearchParams(location.search) };
}

function Route({ path, query }: { path: string; query: URLSearchParams }) {
  const customer = /^\/customers\/(ZP-[0-9A-Fa-f]{8})$/.exec(path);
  if (customer) return <CustomerProfilePage memberId={customer[1]!} />;
  const delivery = /^\/deliveries\/(dlv_\w+)$/.exec(path);
  if (delivery) return <DeliveryDetailPage id={delivery[1]!} />;
  switch (path) {
    case '/customers':
      return <CustomersPage />;
    case '/webhooks':
      return <WebhooksPage />;
    case '/deliveries':
      return <DeliveriesPage initialEndpoint={query.get('endpoint_id') ?? ''} />;
    case '/program':
      return <ProgramPage />;
    case '/inbox':
      return <InboxPage />;
    case '/settings':
      return <SettingsPage />;
    case '/rewards':
      return <RewardsPage />;
    case '/coupons':
      return <ValidateCouponPage />;
    case '/audit':
      return <AuditPage />;
    default:
      return <OverviewPage />;
  }
}

export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const t = useMemo(() => translator(language), [language]);
  const [me, setMeState] = useState<Me | null>(null);
  // Times are shown in the company's zone from the first render of a page on.
  const setMe = (value: Me | null) => {
    if (value) setTimeZone(value.time_zone);
    setMeState(value);
  };
  const [checking, setChecking] = useState(getApiKey() !== null);
  const [route, setRoute] = useState(currentRoute);

  useEffect(() => {
    storeLanguage(language);
    document.title = t('app.title');
  }, [language]);

  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    if (!checking) return;
    api<Me>('GET', '/me/').then(
      (value) => {
        setMe(value);
        setChecking(false);
      },
      () => {
        setApiKey(null);
        setChecking(false);
      },
    );
  }, [checking]);

  const navigate = (to: string) => {
    history.pushState(null, '', adminPath(to));
    setRoute(currentRoute());
    window.scrollTo(0, 0);
  };

  const languageSwitch = (
    <label class="language">
      {t('nav.language')}{' '}
      <select value={language} onChange={(e) => setLanguage(e.currentTarget.value as Language)}>
        <option value="pt-BR">Português</option>
        <option value="en">English</option>
      </select>
    </label>
  );
  if (checking) return <p class="loading">{t('loading')}</p>;
  if (!me) {
    return (
      <>
        <header class="topbar">{languageSwitch}</header>
        <SignIn t={t} onSignedIn={setMe} />
      </>
    );
  }
  const session: Session = { t, me, language, navigate };
  const section = '/' + (route.path.split('/')[1] ?? '');
  return (
    <SessionContext.Provider value={session}>
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <strong>{t('app.title')}</strong>
        <span class="muted">{me.company_name}</span>
        <nav aria-label={t('nav.main')}>
          <ul>
            {NAV.map(([path, key]) => (
              <li key={path}>
                <a
                  href={adminPath(path)}
                  aria-current={section === path || (path === '/' && section === '/') ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(path);
                  }}
                >
                  {t(key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {languageSwitch}
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setApiKey(null);
            setMe(null);
          }}
        >
          {t('nav.signOut')}
        </button>
      </header>
      {me.read_only && <p class="banner">{t('readOnly')}</p>}
      <main id="main" tabIndex={-1}>
        <Route path={route.path} query={route.query} />
      </main>
    </SessionContext.Provider>
  );
}

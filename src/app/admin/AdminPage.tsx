import { createContext, type ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../../domain/auth';
import { currentSignIn, type DeviceSignIn } from '../../data/session';
import { CentreError, centreClient, type CentreClient } from '../../sync/api';
import { ErrorMessage, Loading } from '../components/feedback';
import { Page } from '../components/Page';
import { useOnline } from '../online';
import { adminApi, type AdminApi } from './api';

/** Lets the app (or a test) hand the admin screens the centre client it already has. */
export const AdminClientContext = createContext<CentreClient | null>(null);

/** Every admin screen takes an optional client, so tests pass a fake centre instead of mocking fetch. */
export interface AdminScreenProps {
  client?: CentreClient;
}

export const OFFLINE_MESSAGE = 'You are offline: admin changes need a connection to your centre.';
export const ADMIN_ONLY_MESSAGE = 'Only centre administrators can use these pages.';

const SECTIONS = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/caseloads', label: 'Caseloads' },
  { href: '/admin/enrolments', label: 'Enrolments' },
  { href: '/admin/specs', label: 'Qualification specs' },
  { href: '/admin/locks', label: 'IQA locks' },
];

function AdminNav() {
  const { path } = useLocation();
  return (
    <nav class="admin-nav" aria-label="Centre administration">
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <a href={s.href} aria-current={path === s.href ? 'page' : undefined}>
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function OfflineNotice() {
  return (
    <div class="banner warn" role="alert" data-testid="admin-offline">
      <p>
        <strong>{OFFLINE_MESSAGE}</strong> Users, caseloads, enrolments and specs live at the centre, so these pages work again as soon as this device is back online. Learners' and assessors' work on their own devices is not affected.
      </p>
    </div>
  );
}

/** A failed call to the centre, explained: offline gets the offline notice, everything else the centre's own message. */
export function AdminError({ error, title }: { error: unknown; title: string }) {
  if (error instanceof CentreError && error.reason === 'offline') return <OfflineNotice />;
  if (error instanceof CentreError && error.reason === 'signed-out')
    return <ErrorMessage title={title} error={new Error(`${error.message} Sign in again as an administrator; nothing you typed here has been cleared.`)} />;
  return <ErrorMessage title={title} error={error} />;
}

type SignInState = { status: 'loading' } | { status: 'ready'; signIn: DeviceSignIn | null } | { status: 'error'; error: unknown };

/**
 * The frame of every admin screen: checks the signed-in user is an admin (on the device, so it
 * works offline), says plainly when there is no connection, and builds the admin API.
 * A screen that was already showing stays mounted when the connection drops, so nothing typed is lost.
 */
export function AdminPage({
  title,
  lead,
  client,
  children,
}: {
  title: string;
  lead?: ComponentChildren;
  client?: CentreClient | undefined;
  children: (api: AdminApi, user: SessionUser) => ComponentChildren;
}) {
  const online = useOnline();
  const provided = useContext(AdminClientContext);
  const [state, setState] = useState<SignInState>({ status: 'loading' });
  const token = useRef<string | null>(null);
  const shown = useRef(false);

  useEffect(() => {
    let live = true;
    currentSignIn().then(
      (signIn) => {
        token.current = signIn?.token ?? null;
        if (live) setState({ status: 'ready', signIn });
      },
      (error: unknown) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, []);

  const api = useMemo(() => adminApi(client ?? provided ?? centreClient(() => token.current)), [client, provided]);

  let body: ComponentChildren;
  if (state.status === 'loading') body = <Loading what="your sign-in" />;
  else if (state.status === 'error') body = <ErrorMessage title="Could not read your sign-in on this device" error={state.error} />;
  else if (state.signIn?.user.role !== 'admin')
    body = (
      <div class="banner warn" role="alert" data-testid="admin-refused">
        <p>
          <strong>{ADMIN_ONLY_MESSAGE}</strong>{' '}
          {state.signIn ? `You are signed in as ${state.signIn.user.name} (${state.signIn.user.role}).` : 'This device is not signed in to a centre.'} Ask your centre's administrator if you need a change to users, caseloads, enrolments or qualification specs.
        </p>
        <p>
          <a href="/">Back to the portfolio</a>
        </p>
      </div>
    );
  else {
    if (online) shown.current = true;
    const user = state.signIn.user;
    body = (
      <>
        <AdminNav />
        {!online && <OfflineNotice />}
        {shown.current && children(api, user)}
      </>
    );
  }

  return (
    <Page title={title} lead={lead}>
      {body}
    </Page>
  );
}

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../../domain/auth';
import { currentSignIn, type DeviceSignIn } from '../../data/session';
import { CentreError, centreClient, type CentreClient } from '../../sync/api';
import { ErrorMessage, Loading } from '../components/feedback';
import { Page } from '../components/Page';
import { useOnline } from '../online';
import { iqaApi, type IqaApi } from './api';

/** Every IQA screen takes an optional client, so tests pass a fake centre instead of mocking fetch. */
export interface IqaScreenProps {
  client?: CentreClient;
}

export const IQA_OFFLINE_MESSAGE = 'You are offline: sampling plans and samples are drawn at your centre, so they need a connection.';

export function IqaOfflineNotice() {
  return (
    <div class="banner warn" role="alert" data-testid="iqa-offline">
      <p>
        <strong>{IQA_OFFLINE_MESSAGE}</strong> Items you have already opened stay readable, and a verdict you sign is kept on this device and reaches the centre when you are back online.
      </p>
    </div>
  );
}

/** A failed call to the centre, explained: offline gets the offline notice, everything else the centre's own words. */
export function IqaError({ error, title }: { error: unknown; title: string }) {
  if (error instanceof CentreError && error.reason === 'offline') return <IqaOfflineNotice />;
  if (error instanceof CentreError && error.reason === 'signed-out')
    return <ErrorMessage title={title} error={new Error(`${error.message} Sign in again; nothing you typed here has been cleared.`)} />;
  return <ErrorMessage title={title} error={error} />;
}

type SignInState = { status: 'loading' } | { status: 'ready'; signIn: DeviceSignIn | null } | { status: 'error'; error: unknown };

/**
 * The frame of every IQA screen: checks on the device (so it works offline) that an IQA is signed
 * in, says plainly when there is no connection, and builds the IQA API with the session's token.
 */
export function IqaPage({
  title,
  lead,
  client,
  children,
}: {
  title: string;
  lead?: ComponentChildren;
  client?: CentreClient | undefined;
  children: (api: IqaApi, user: SessionUser, online: boolean) => ComponentChildren;
}) {
  const online = useOnline();
  const [state, setState] = useState<SignInState>({ status: 'loading' });
  const token = useRef<string | null>(null);

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

  const api = useMemo(() => iqaApi(client ?? centreClient(() => token.current)), [client]);

  let body: ComponentChildren;
  if (state.status === 'loading') body = <Loading what="your sign-in" />;
  else if (state.status === 'error') body = <ErrorMessage title="Could not read your sign-in on this device" error={state.error} />;
  else if (state.signIn?.user.role !== 'iqa')
    body = (
      <div class="banner warn" role="alert" data-testid="iqa-refused">
        <p>
          <strong>Only internal quality assurers (IQAs) can use these pages.</strong>{' '}
          {state.signIn ? `You are signed in as ${state.signIn.user.name} (${state.signIn.user.role}).` : 'This device is not signed in to a centre.'}
        </p>
        <p>
          <a href="/">Back to the portfolio</a>
        </p>
      </div>
    );
  else
    body = (
      <>
        {!online && <IqaOfflineNotice />}
        {children(api, state.signIn.user, online)}
      </>
    );

  return (
    <Page title={title} lead={lead}>
      {body}
    </Page>
  );
}

import { useLocation } from 'preact-iso';
import { useRef, useState } from 'preact/hooks';
import { Page } from '../components/Page';
import { useOnline } from '../online';
import { useAccount, useServices } from '../services';

/**
 * Signing in to the centre: only online (the centre checks the password), and never required. A
 * device whose session the centre ended signs in again here; the same user gets the same
 * database back, with everything that was waiting.
 */
export default function SignIn() {
  const { account } = useServices();
  const state = useAccount();
  const online = useOnline();
  const { route } = useLocation();
  const ended = state.signIn?.ended ? state.signIn : null;
  const [email, setEmail] = useState(ended?.user.email ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);

  if (state.signIn && !ended)
    return (
      <Page title="Sign in to your centre">
        <p>
          You are signed in as <strong>{state.signIn.user.name}</strong> ({state.signIn.user.email}) at {state.signIn.user.centreName}.
        </p>
        <p>
          <a class="standalone-link" href="/device#account-heading">
            Your account and sync
          </a>
        </p>
      </Page>
    );

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await account.signIn(email, password);
      setPassword('');
      route('/');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      requestAnimationFrame(() => errorRef.current?.focus());
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page
      title="Sign in to your centre"
      lead="Signing in keeps your portfolio in step with your centre, so your assessor sees your evidence and you can use it on your other devices."
    >
      {ended && (
        <div class="banner warn">
          <p>
            <strong>Your centre ended this device's session.</strong> {ended.ended!.message} Everything you did on this device is kept. Sign in again as{' '}
            {ended.user.email} to carry on syncing it.
          </p>
        </div>
      )}
      {!online && (
        <div class="banner info" role="status">
          <p>
            <strong>You are offline.</strong> Signing in needs a connection to your centre. You can keep using the app on this device meanwhile.
          </p>
        </div>
      )}
      {error && (
        <div class="banner error" ref={errorRef} tabIndex={-1} role="alert" data-testid="sign-in-error">
          <p>
            <strong>Not signed in.</strong> {error}
          </p>
        </div>
      )}
      <form class="card" onSubmit={submit} noValidate>
        <div class="field">
          <label for="sign-in-email">Email</label>
          <input
            id="sign-in-email"
            type="email"
            autocomplete="username"
            inputMode="email"
            required
            value={email}
            aria-invalid={error ? 'true' : undefined}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            aria-invalid={error ? 'true' : undefined}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <div class="actions">
          <button class="button" type="submit" disabled={busy || !online}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <a class="button link" href="/">
            Carry on without an account
          </a>
        </div>
      </form>
      <p class="small muted">Without an account, your portfolio stays on this device only. Your centre gives you your sign-in details.</p>
    </Page>
  );
}

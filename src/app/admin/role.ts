import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { currentSignIn } from '../../data/session';

/**
 * Whether the person signed in on this device is a centre admin, for showing the Admin link.
 * Deliberately tiny and free of the admin screens, so it can sit in the first-load bundle.
 * Re-read on every navigation, so signing in or out shows or hides the link on the next screen.
 */
export function useIsAdmin(): boolean {
  const { path } = useLocation();
  const [admin, setAdmin] = useState(false);
  useEffect(() => {
    let live = true;
    currentSignIn().then(
      (signIn) => live && setAdmin(signIn?.user.role === 'admin'),
      (error: unknown) => {
        console.error(error);
        if (live) setAdmin(false);
      },
    );
    return () => {
      live = false;
    };
  }, [path]);
  return admin;
}

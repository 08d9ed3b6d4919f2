import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { currentSignIn } from '../../data/session';

/**
 * Whether an IQA is signed in on this device, for showing the IQA link. Tiny and free of the IQA
 * screens so it can sit in the first-load bundle; re-read on every navigation like useIsAdmin.
 */
export function useIsIqa(): boolean {
  const { path } = useLocation();
  const [iqa, setIqa] = useState(false);
  useEffect(() => {
    let live = true;
    currentSignIn().then(
      (signIn) => live && setIqa(signIn?.user.role === 'iqa'),
      (error: unknown) => {
        console.error(error);
        if (live) setIqa(false);
      },
    );
    return () => {
      live = false;
    };
  }, [path]);
  return iqa;
}

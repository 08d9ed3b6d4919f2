import { useState } from 'preact/hooks';
import { fetchZip, saveFile } from '../download';
import { useOnline } from '../online';
import { useAccount, useServices } from '../services';
import { ErrorMessage } from './feedback';

/**
 * A learner's copy of everything their centre holds about them (UK GDPR subject access): the
 * centre makes the ZIP, so it needs a connection, and says so plainly when there is none.
 */
export function DownloadMyData() {
  const { account } = useServices();
  const { signIn } = useAccount();
  const online = useOnline();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  if (!signIn || signIn.user.role !== 'learner') return null;
  const learnerId = signIn.user.id;

  const download = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { zip, filename } = await account.endOn401(fetchZip(account.client(), `/api/personal-data/learners/${encodeURIComponent(learnerId)}/export`, 'personal-data.zip'));
      saveFile(zip, filename);
      setDone(`Downloaded ${filename}. README.txt inside says what each file is.`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ marginTop: '1.25rem' }} data-testid="download-my-data">
      <h3>Your data at your centre</h3>
      <p>Download everything your centre holds about you: your account, your portfolio with every earlier version, assessors’ decisions, your files, your devices and the audit log entries about you.</p>
      {!online && (
        <p class="banner warn" role="note">
          You are offline. Your centre makes this download, so it needs a connection: connect and try again.
        </p>
      )}
      {signIn.ended && <p class="small muted">Sign in again to download your data.</p>}
      {error !== null && <ErrorMessage error={error} title="Your data could not be downloaded" />}
      {done && (
        <p class="banner ok" role="status">
          {done}
        </p>
      )}
      <button class="button secondary" type="button" onClick={download} disabled={busy || !online || !!signIn.ended}>
        {busy ? 'Preparing your download…' : 'Download my data'}
      </button>
    </div>
  );
}

import { useState } from 'preact/hooks';
import type { CentreUser } from '../../domain/admin';
import { saveFile } from '../download';
import type { AdminApi } from './api';
import { AdminError } from './AdminPage';

/**
 * Downloads a learner's export for external quality assurance: a ZIP the examiner opens offline
 * (index.html) and checks with `npm run verify`. The centre audits every export.
 */
export function ExportForEqa({ api, learner, announce }: { api: AdminApi; learner: Pick<CentreUser, 'id' | 'name'>; announce: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const download = async () => {
    setBusy(true);
    setFailure(null);
    announce(`Preparing the EQA export of ${learner.name}…`);
    try {
      const { zip, filename } = await api.exportLearner(learner.id);
      saveFile(zip, filename);
      announce(`Downloaded ${filename}: the EQA export of ${learner.name}.`);
    } catch (error) {
      setFailure(error);
      announce('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button class="button secondary" type="button" disabled={busy} onClick={download}>
        {busy ? 'Preparing export…' : 'Export for EQA'}
        <span class="visually-hidden"> of {learner.name}</span>
      </button>
      {failure !== null && (
        <div role="alert">
          <AdminError error={failure} title={`The EQA export of ${learner.name} could not be made`} />
        </div>
      )}
    </>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { deviceId } from '../../data/settings';
import { formatBytes, requestPersistentStorage, storageStatus, type StorageStatus } from '../../data/storage';
import { AccountPanel } from '../components/AccountPanel';
import { Page } from '../components/Page';
import { SyncPanel } from '../components/SyncPanel';

function StorageCard() {
  const [status, setStatus] = useState<StorageStatus | null>(null);
  const [asking, setAsking] = useState(false);
  const refresh = () =>
    storageStatus()
      .then(setStatus)
      .catch((error: unknown) => console.error('Storage estimate failed', error));
  useEffect(() => {
    void refresh();
  }, []);
  const ask = async () => {
    setAsking(true);
    await requestPersistentStorage();
    await refresh();
    setAsking(false);
  };
  if (!status) return <p role="status">Checking storage…</p>;
  const free = status.quotaBytes !== null && status.usedBytes !== null ? status.quotaBytes - status.usedBytes : null;
  return (
    <section class="card" aria-labelledby="storage-heading">
      <h2 id="storage-heading" style={{ marginTop: 0 }}>
        Storage on this device
      </h2>
      {status.usedBytes === null ? (
        <p>This browser does not say how much space is used.</p>
      ) : (
        <dl class="facts" data-testid="storage-facts">
          <dt>Used by ICT Portfolio</dt>
          <dd>{formatBytes(status.usedBytes)}</dd>
          <dt>Still available</dt>
          <dd>{free === null ? 'Not known' : formatBytes(free)}</dd>
        </dl>
      )}
      {status.persisted ? (
        <p class="banner ok" style={{ marginTop: '1rem' }}>
          Your browser will keep this data even when the device runs low on space.
        </p>
      ) : (
        <div class="banner warn" style={{ marginTop: '1rem' }}>
          <p>
            {status.persisted === null
              ? 'This browser cannot promise to keep the data.'
              : 'Your browser may clear this data if the device runs very low on space. Installing the app (Add to Home screen) usually makes it permanent.'}
          </p>
          {status.persisted === false && (
            <button class="button secondary" type="button" onClick={ask} disabled={asking}>
              Ask to keep my data
            </button>
          )}
        </div>
      )}
    </section>
  );
}

export default function Device() {
  const [id, setId] = useState<string | null>(null);
  useEffect(() => {
    void deviceId().then(setId);
  }, []);
  // A link to a section (#sync-heading from the header) lands on it once it has rendered.
  useEffect(() => {
    const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    target?.scrollIntoView?.();
  }, []);
  return (
    <Page title="This device" lead="Your portfolio is stored in this browser, so it works without a connection.">
      <AccountPanel />
      <SyncPanel />
      <StorageCard />
      <section class="card" aria-labelledby="about-heading">
        <h2 id="about-heading" style={{ marginTop: 0 }}>
          About
        </h2>
        <dl class="facts">
          <dt>App version</dt>
          <dd>{__APP_VERSION__}</dd>
          <dt>Device id</dt>
          <dd>
            <code>{id ?? '…'}</code>
          </dd>
        </dl>
      </section>
    </Page>
  );
}

import { render } from 'preact';
import { z } from 'zod';
import { App } from './app/App';
import { createAppServices } from './app/services';
import { registerServiceWorker } from './app/sw-bridge';
import { seedShippedFrameworks } from './data/frameworks';
import { requestPersistentStorage } from './data/storage';
import { markStartup, markWhenDone } from './data/startup';
import './app/styles.css';

// The page's CSP allows no eval: zod would otherwise probe `new Function` and log a violation.
z.config({ jitless: true });

const services = createAppServices();

async function boot(): Promise<void> {
  markStartup('boot');
  // The signed-in user's own database must be open before any screen reads: one small read.
  try {
    await markWhenDone('account-restored', services.account.restore());
  } catch (error) {
    // Without the settings store the app still works on this device, in the default database.
    console.error('Could not read who is signed in on this device', error);
  }
  // Specs must be on the device before any screen reads them; the shell renders meanwhile.
  const seeded = markWhenDone('specs-checked', seedShippedFrameworks()).catch((error: unknown) => {
    console.error('Could not store the qualification specs on this device', error);
    throw error;
  });
  render(<App services={services} />, document.getElementById('app')!);
  markStartup('first-render');
  void seeded.then(() => requestPersistentStorage());
  void registerServiceWorker();
  // Sync starts after the first render: the screens never wait for the network. (Waiting for the
  // first screen's read as well was measured ~40 ms faster with 1,000 changes waiting, but left the
  // header saying "All changes saved on this device" of a signed-in device until then.)
  await markWhenDone('sync-started', services.sync.start());
}

void boot().catch((error: unknown) => console.error('The app could not start syncing', error));

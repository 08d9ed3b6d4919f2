import { render } from 'preact';
import { App } from './app/App';
import { registerServiceWorker } from './app/sw-bridge';
import { seedShippedFrameworks } from './data/frameworks';
import { requestPersistentStorage } from './data/storage';
import './app/styles.css';

// Specs must be on the device before any screen reads them; the shell renders meanwhile.
const seeded = seedShippedFrameworks().catch((error: unknown) => {
  console.error('Could not store the qualification specs on this device', error);
  throw error;
});
render(<App />, document.getElementById('app')!);
void seeded.then(() => requestPersistentStorage());
void registerServiceWorker();

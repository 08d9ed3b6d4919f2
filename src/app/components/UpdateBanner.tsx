import { useEffect, useState } from 'preact/hooks';
import { swBridge, type SwBridge } from '../sw-bridge';

export interface UpdateBannerProps {
  /** Saves what the user has not saved yet (e.g. flushes drafts); awaited before the page reloads. */
  beforeReload: () => Promise<void>;
  /** The service-worker bridge; tests pass a fake. */
  bridge?: Pick<SwBridge, 'onUpdateReady' | 'applyUpdate'>;
}

type Phase = 'hidden' | 'ready' | 'updating' | 'failed';

/**
 * Tells the user a new version is ready and lets them choose when to switch.
 * The live region is always in the page so screen readers announce the
 * message when it appears; it never takes focus and never reloads by itself.
 */
export function UpdateBanner({ beforeReload, bridge = swBridge }: UpdateBannerProps) {
  const [phase, setPhase] = useState<Phase>('hidden');

  useEffect(() => bridge.onUpdateReady(() => setPhase((p) => (p === 'updating' ? p : 'ready'))), [bridge]);

  const update = async () => {
    setPhase('updating');
    try {
      await bridge.applyUpdate(beforeReload);
    } catch (error) {
      console.error('Update not applied: saving unsaved work failed.', error);
      setPhase('failed');
    }
  };

  const visible = phase !== 'hidden';
  return (
    <div role="status" class="update-banner-region">
      {visible && (
        <div class="update-banner">
          <p class="update-banner__text">
            {phase === 'failed'
              ? 'Your unsaved work could not be saved, so ICT Portfolio was not updated. Try again, or choose Later.'
              : 'A new version of ICT Portfolio is ready. Your work is saved on this device.'}
          </p>
          <div class="update-banner__actions">
            <button
              type="button"
              class="update-banner__primary"
              onClick={update}
              disabled={phase === 'updating'}
            >
              {phase === 'updating' ? 'Updating…' : 'Update now'}
            </button>
            <button
              type="button"
              class="update-banner__secondary"
              onClick={() => setPhase('hidden')}
              disabled={phase === 'updating'}
            >
              Later
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

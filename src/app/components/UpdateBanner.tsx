import { useEffect, useState } from 'preact/hooks';
import { swBridge, type SwBridge } from '../sw-bridge';

export interface UpdateBannerProps {
  /** Saves what the user has not saved yet (e.g. flushes drafts); awaited before the page reloads. */
  beforeReload: () => Promise<void>;
  /** The service-worker bridge; tests pass a fake. */
  bridge?: Pick<SwBridge, 'onUpdateReady' | 'applyUpdate'>;
}

type Phase = 'hidden' | 'ready' | 'updating' | 'failed';

// Kept with the component so it needs no global stylesheet. Buttons are at
// least 44x44 CSS px (WCAG 2.5.5) and the focus ring is a 3px yellow outline
// that contrasts with both the banner (#1d3f72) and the white button.
const css = `
.update-banner{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1rem;margin:0;padding:.75rem 1rem;background:#1d3f72;color:#fff;font:inherit;line-height:1.4}
.update-banner__text{flex:1 1 16rem;margin:0}
.update-banner__actions{display:flex;flex-wrap:wrap;gap:.5rem}
.update-banner button{min-height:44px;min-width:44px;padding:.5rem 1rem;border:2px solid #fff;border-radius:6px;font:inherit;font-weight:600;cursor:pointer}
.update-banner__primary{background:#fff;color:#1d3f72}
.update-banner__secondary{background:transparent;color:#fff}
.update-banner button:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
.update-banner button:disabled{cursor:progress;opacity:.85}
`;

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
          <style>{css}</style>
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

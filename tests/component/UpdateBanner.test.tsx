import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { UpdateBanner } from '../../src/app/components/UpdateBanner';
import { createSwBridge, type SwBridge, type WorkboxLike } from '../../src/app/sw-bridge';

const MESSAGE = 'A new version of ICT Portfolio is ready. Your work is saved on this device.';

/** A stand-in for the bridge: the test decides when an update is ready. */
function fakeBridge(applyUpdate: SwBridge['applyUpdate'] = async (beforeReload) => beforeReload()) {
  const listeners = new Set<() => void>();
  return {
    onUpdateReady: vi.fn((listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }),
    applyUpdate: vi.fn(applyUpdate),
    announceUpdate: () => act(() => listeners.forEach((l) => l())),
    listenerCount: () => listeners.size,
  };
}

describe('UpdateBanner', () => {
  it('keeps an empty polite status region until an update is ready', () => {
    const bridge = fakeBridge();
    render(<UpdateBanner beforeReload={async () => {}} bridge={bridge} />);
    const region = screen.getByRole('status');
    expect(region.textContent).toBe('');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows the message and both buttons when a new worker is waiting', async () => {
    const bridge = fakeBridge();
    render(<UpdateBanner beforeReload={async () => {}} bridge={bridge} />);
    await bridge.announceUpdate();
    expect(screen.getByRole('status').textContent).toContain(MESSAGE);
    expect(screen.getByRole('button', { name: 'Update now' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Later' })).toBeTruthy();
  });

  it('"Update now" hands beforeReload to the bridge, which awaits it', async () => {
    const user = userEvent.setup();
    const order: string[] = [];
    const beforeReload = vi.fn(async () => {
      order.push('saved drafts');
    });
    const bridge = fakeBridge(async (br) => {
      await br();
      order.push('skip waiting');
    });
    render(<UpdateBanner beforeReload={beforeReload} bridge={bridge} />);
    await bridge.announceUpdate();
    await user.click(screen.getByRole('button', { name: 'Update now' }));
    await waitFor(() => expect(order).toEqual(['saved drafts', 'skip waiting']));
    expect(bridge.applyUpdate).toHaveBeenCalledWith(beforeReload);
    expect(screen.getByRole('button', { name: 'Updating…' })).toHaveProperty('disabled', true);
  });

  it('"Later" hides the banner without updating, and a later update shows it again', async () => {
    const user = userEvent.setup();
    const bridge = fakeBridge();
    render(<UpdateBanner beforeReload={async () => {}} bridge={bridge} />);
    await bridge.announceUpdate();
    await user.click(screen.getByRole('button', { name: 'Later' }));
    expect(screen.queryByRole('button')).toBeNull();
    expect(bridge.applyUpdate).not.toHaveBeenCalled();
    await bridge.announceUpdate();
    expect(screen.getByRole('button', { name: 'Update now' })).toBeTruthy();
  });

  it('says so, and stays, when saving before the reload fails', async () => {
    const user = userEvent.setup();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const bridge = fakeBridge(async () => {
      throw new Error('QuotaExceededError');
    });
    render(<UpdateBanner beforeReload={async () => {}} bridge={bridge} />);
    await bridge.announceUpdate();
    await user.click(screen.getByRole('button', { name: 'Update now' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('could not be saved'));
    expect(screen.getByRole('button', { name: 'Update now' })).toHaveProperty('disabled', false);
    vi.mocked(console.error).mockRestore();
  });

  it('buttons are real buttons reachable by keyboard', async () => {
    const user = userEvent.setup();
    const bridge = fakeBridge();
    render(<UpdateBanner beforeReload={async () => {}} bridge={bridge} />);
    await bridge.announceUpdate();
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Update now');
    await user.tab();
    expect(document.activeElement?.textContent).toBe('Later');
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('unsubscribes from the bridge when unmounted', () => {
    const bridge = fakeBridge();
    const { unmount } = render(<UpdateBanner beforeReload={async () => {}} bridge={bridge} />);
    expect(bridge.listenerCount()).toBe(1);
    act(() => {
      unmount();
    });
    expect(bridge.listenerCount()).toBe(0);
  });
});

// The bridge logic the banner relies on, with a fake Workbox (no real worker).
describe('createSwBridge', () => {
  function fakeWorkbox() {
    const handlers: Record<string, Array<(e: { isExternal?: boolean }) => void>> = {};
    const wb: WorkboxLike & { fire: (type: string, e?: { isExternal?: boolean }) => void } = {
      addEventListener: (type, listener) => {
        (handlers[type] ??= []).push(listener);
      },
      register: vi.fn(async () => undefined),
      messageSkipWaiting: vi.fn(),
      fire: (type, e = {}) => handlers[type]?.forEach((h) => h(e)),
    };
    return wb;
  }

  function setup(enabled = true) {
    const wb = fakeWorkbox();
    const reload = vi.fn();
    const container = Object.assign(new EventTarget(), { controller: null as ServiceWorker | null });
    const bridge = createSwBridge({ enabled, createWorkbox: () => wb, container, reload });
    return { wb, reload, container, bridge };
  }

  it('does not register when disabled (dev builds, no service worker support)', async () => {
    const { wb, bridge } = setup(false);
    expect(await bridge.register()).toBe(false);
    expect(wb.register).not.toHaveBeenCalled();
  });

  it('tells listeners, including late ones, when a worker is waiting', async () => {
    const { wb, bridge } = setup();
    await bridge.register();
    const early = vi.fn();
    bridge.onUpdateReady(early);
    wb.fire('waiting');
    expect(early).toHaveBeenCalledTimes(1);
    const late = vi.fn();
    bridge.onUpdateReady(late);
    await Promise.resolve();
    expect(late).toHaveBeenCalledTimes(1);
    expect(bridge.isUpdateReady()).toBe(true);
  });

  it('saves first, then skips waiting, then reloads once on controlling', async () => {
    const { wb, reload, bridge } = setup();
    await bridge.register();
    wb.fire('waiting');
    const order: string[] = [];
    vi.mocked(wb.messageSkipWaiting).mockImplementation(() => order.push('skip waiting'));
    await bridge.applyUpdate(async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('saved');
    });
    expect(order).toEqual(['saved', 'skip waiting']);
    expect(reload).not.toHaveBeenCalled();
    wb.fire('controlling');
    wb.fire('controlling');
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('never reloads on a controller change the user did not ask for', async () => {
    const { wb, reload, bridge } = setup();
    await bridge.register();
    wb.fire('waiting');
    wb.fire('controlling', { isExternal: true });
    expect(reload).not.toHaveBeenCalled();
    // Another tab already applied it: "Update now" is then just the reload.
    await bridge.applyUpdate(async () => {});
    expect(wb.messageSkipWaiting).not.toHaveBeenCalled();
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not update when saving fails', async () => {
    const { wb, reload, bridge } = setup();
    await bridge.register();
    wb.fire('waiting');
    await expect(bridge.applyUpdate(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(wb.messageSkipWaiting).not.toHaveBeenCalled();
    wb.fire('controlling');
    expect(reload).not.toHaveBeenCalled();
  });

  it('whenControlling resolves once a worker controls the page', async () => {
    const { container, bridge } = setup();
    let resolved = false;
    const p = bridge.whenControlling().then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    container.controller = {} as ServiceWorker;
    container.dispatchEvent(new Event('controllerchange'));
    await p;
    expect(resolved).toBe(true);
  });
});

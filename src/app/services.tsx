import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { createAccountService, type AccountService, type AccountState } from '../sync/account';
import { createSyncRuntime, type SyncRuntime } from '../sync/runtime';
import { useSyncStatus, type SyncStatus } from '../sync/status';

/**
 * The account and sync services, handed to screens through context so that tests give them a fake
 * centre instead of patching globals. main.tsx makes the real ones; a screen rendered without a
 * provider (older tests) gets a default pair that never calls the network on its own.
 */
export interface AppServices {
  account: AccountService;
  sync: SyncRuntime;
}

export function createAppServices(): AppServices {
  const account = createAccountService();
  const hasWorker = typeof navigator !== 'undefined' && 'serviceWorker' in navigator;
  const sync = createSyncRuntime({
    account,
    ...(hasWorker ? { serviceWorker: navigator.serviceWorker } : {}),
    ...(typeof navigator !== 'undefined' && navigator.locks ? { locks: navigator.locks } : {}),
  });
  return { account, sync };
}

const ServicesContext = createContext<AppServices | null>(null);
let fallback: AppServices | null = null;

export function ServicesProvider({ services, children }: { services: AppServices; children: ComponentChildren }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

/** The pair used where no provider is given: real services that stay idle until started. */
export function defaultServices(): AppServices {
  fallback ??= createAppServices();
  return fallback;
}

export function useServices(): AppServices {
  return useContext(ServicesContext) ?? defaultServices();
}

export function useAccount(): AccountState {
  const { account } = useServices();
  const [state, setState] = useState(account.get());
  useEffect(() => {
    setState(account.get());
    return account.subscribe(setState);
  }, [account]);
  return state;
}

export function useStatus(): SyncStatus {
  return useSyncStatus(useServices().sync.status);
}

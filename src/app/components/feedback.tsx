import type { ComponentChildren } from 'preact';
import type { Live } from '../../data/live';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" class="muted">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="banner error" role="alert">
      <p>
        <strong>{title}.</strong> {message}
      </p>
    </div>
  );
}

/** Renders a live read: a loading line, a readable error, or the value. */
export function LiveView<T>({ live, what, children }: { live: Live<T>; what: string; children: (value: T) => ComponentChildren }) {
  if (live.status === 'loading') return <Loading what={what} />;
  if (live.status === 'error') return <ErrorMessage error={live.error} title={`Could not load ${what}`} />;
  return <>{children(live.value)}</>;
}

import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

/** One screen: the main landmark, its heading and a document title that names it (WCAG 2.4.2). */
export function Page({ title, children, lead }: { title: string; lead?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · ICT Portfolio`;
  }, [title]);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{title}</h1>
      {lead && <p class="muted">{lead}</p>}
      {children}
    </main>
  );
}

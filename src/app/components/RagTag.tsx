import type { Rag } from '../../data/caseload';

/** Status is always in words (and a shape), never colour alone (WCAG 1.4.1). */
export const RAG_WORDS: Record<Rag, string> = { red: 'At risk', amber: 'Behind plan', green: 'On track' };
const RAG_SHAPE: Record<Rag, string> = { red: '■', amber: '▲', green: '●' };

export function RagTag({ rag }: { rag: Rag }) {
  return (
    <span class={`rag rag-${rag}`}>
      <span aria-hidden="true">{RAG_SHAPE[rag]} </span>
      {RAG_WORDS[rag]}
    </span>
  );
}

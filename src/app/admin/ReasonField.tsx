/**
 * The reason an admin gives for an action that the audit log keeps (unlock, revoke, erase): one
 * field, so the label, hint and error are tied to the textarea the same way everywhere.
 */
export function ReasonField({ id, label, hint, error, value, onInput }: { id: string; label: string; hint: string; error: string | null | undefined; value: string; onInput: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <span class="hint" id={`${id}-hint`}>
        {hint}
      </span>
      {error && (
        <span class="error-text" id={`${id}-error`}>
          {error}
        </span>
      )}
      <textarea
        id={id}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
    </div>
  );
}

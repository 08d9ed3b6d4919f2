import type { ComponentChildren } from 'preact';
import type { ZodError } from 'zod';

type InputType = 'text' | 'email' | 'password' | 'date' | 'number' | 'search';

function describedBy(...ids: Array<string | undefined>): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

/** Label, hint and error of one control, with the ids the control must be described by. */
function FieldFrame(props: { id: string; label: string; hint?: string | undefined; error?: string | undefined; children: (describedBy: string | undefined) => ComponentChildren }) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint && (
        <span class="hint" id={hintId}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span class="error-text" id={errorId}>
          {props.error}
        </span>
      )}
      {props.children(describedBy(hintId, errorId))}
    </div>
  );
}

/** A labelled input with its hint and error read out with it. */
export function InputField(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  type?: InputType;
  value: string;
  onInput: (value: string) => void;
  extra?: Record<string, string>;
}) {
  return (
    <FieldFrame id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {(describedByIds) => (
        <input
          id={props.id}
          name={props.id}
          // Preact's input types are a union keyed on `type`; this field only varies the keyboard and picker.
          type={(props.type ?? 'text') as 'text'}
          value={props.value}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedByIds}
          onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
          {...props.extra}
        />
      )}
    </FieldFrame>
  );
}

export interface Choice {
  value: string;
  label: string;
}

export function SelectField(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  value: string;
  choices: Choice[];
  /** Shown first with an empty value, so nothing is chosen by accident. */
  placeholder?: string;
  disabled?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <FieldFrame id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {(describedByIds) => (
        <select
          id={props.id}
          name={props.id}
          value={props.value}
          disabled={props.disabled}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedByIds}
          onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
        >
          {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
          {props.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

/** The problems in a form, each linking to its field; focused on a failed submit so a screen reader hears them. */
export function ErrorSummary({ id, title, errors }: { id: string; title: string; errors: Array<[field: string, message: string]> }) {
  if (errors.length === 0) return null;
  return (
    <div class="banner error" id={id} tabIndex={-1} role="alert">
      <h2>{title}</h2>
      <ul>
        {errors.map(([field, message]) => (
          <li key={field}>
            <a class="standalone-link" href={`#${field}`}>
              {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The first message for each top-level field of a failed zod parse, keyed by `${prefix}${field}` (the input ids). */
export function fieldErrors(error: ZodError, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = `${prefix}${String(issue.path[0] ?? 'form')}`;
    out[field] ??= issue.message;
  }
  return out;
}

export function focusSoon(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

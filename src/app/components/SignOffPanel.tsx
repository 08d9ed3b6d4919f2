import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from './feedback';
import { SignaturePad } from './SignaturePad';

export interface SummaryRow {
  label: string;
  value: ComponentChildren;
}

export interface SignOffPanelProps {
  /** Prefix of element ids; unique on the page. */
  id: string;
  heading: string;
  /** What will be signed, shown before the signature so the signer knows what they put their name to. */
  summary: SummaryRow[];
  /** Label of the signature area, e.g. "Your signature" or "Sam Patel's signature". */
  signerLabel: string;
  /** Whose signature is drawn: what "Sign with keyboard" writes. */
  signerName: string;
  /** Text of the button that signs, e.g. "Sign off" or "Refer with my signature". */
  confirmLabel: string;
  /** Signs with the drawn signature; a rejection is shown in words and the panel stays open. */
  onSign: (drawnSignature: string) => Promise<void>;
  onCancel?: () => void;
  /** Extra words before the signature (a declaration's text, say). */
  children?: ComponentChildren;
  /** Problems that stop signing, in words (an empty list means it can be signed). */
  blockers?: string[];
}

/**
 * Sign-off: a summary of what will be signed, the drawn signature, and one button. The caller does
 * the signing (decisions.ts) and shows the outcome; this panel shows failures in words.
 */
export function SignOffPanel({ id, heading, summary, signerLabel, signerName, confirmLabel, onSign, onCancel, children, blockers = [] }: SignOffPanelProps) {
  const [signature, setSignature] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const sign = async () => {
    setError(null);
    if (blockers.length > 0) return;
    if (!signature) {
      setMissing(true);
      requestAnimationFrame(() => document.getElementById(`${id}-pad-keyboard`)?.focus());
      return;
    }
    setBusy(true);
    try {
      await onSign(signature);
    } catch (err) {
      console.error(err);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card sign-off-panel" aria-labelledby={`${id}-heading`} data-testid={`${id}-panel`}>
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        {heading}
      </h2>
      <h3>What you are signing</h3>
      <dl class="facts">
        {summary.map((row) => (
          <Fragment key={row.label}>
            <dt>{row.label}</dt>
            <dd>{row.value}</dd>
          </Fragment>
        ))}
      </dl>
      {children}
      <SignaturePad
        id={`${id}-pad`}
        label={signerLabel}
        signerName={signerName}
        value={signature}
        disabled={busy}
        error={missing && !signature ? 'Sign in the box above before you confirm.' : null}
        onChange={(value) => {
          setSignature(value);
          if (value) setMissing(false);
        }}
      />
      {blockers.length > 0 && (
        <div class="banner warn" role="alert">
          <p>
            <strong>This cannot be signed yet.</strong>
          </p>
          <ul>
            {blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
      {error !== null && <ErrorMessage error={error} title="Not signed" />}
      <div class="actions">
        <button type="button" class="button" disabled={busy || blockers.length > 0} onClick={() => void sign()}>
          {busy ? 'Signing…' : confirmLabel}
        </button>
        {onCancel && (
          <button type="button" class="button secondary" disabled={busy} onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </section>
  );
}

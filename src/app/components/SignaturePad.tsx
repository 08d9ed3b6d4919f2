import SignaturePadLib from 'signature_pad';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * How pads are made: a module-level seam (like objectUrls in AttachmentList), so an environment
 * without a 2D canvas can swap it instead of patching globals.
 */
export const signaturePads = {
  create: (canvas: HTMLCanvasElement): SignaturePadLib =>
    new SignaturePadLib(canvas, {
      // A white background keeps the PNG readable wherever it is shown later (exports, dark viewers).
      backgroundColor: 'rgb(255,255,255)',
      penColor: 'rgb(20,20,40)',
      minWidth: 1,
      maxWidth: 3,
    }),
};

export interface SignaturePadProps {
  /** Prefix of the element ids; unique on the page. */
  id: string;
  /** Visible label, e.g. "Your signature" or "Sam Patel's signature". */
  label: string;
  /** Whose signature it is: what "Sign with keyboard" writes, and how the signed image is described. */
  signerName: string;
  /** PNG data URL of the signature, or null while unsigned. */
  value: string | null;
  onChange: (dataUrl: string | null) => void;
  hint?: string;
  error?: string | null;
  disabled?: boolean;
}

const PNG = 'image/png';

/**
 * A drawn signature (touch, stylus, mouse) for decisions and witness statements. The canvas cannot
 * be drawn on with a keyboard, so "Sign with keyboard" writes the signer's name onto it instead:
 * it is still a mark made on this device by the person signing, never a typed field that stands in
 * for one. A value given from outside (a signature saved earlier) is shown as an image until cleared.
 */
export function SignaturePad({ id, label, signerName, value, onChange, hint, error, disabled = false }: SignaturePadProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const padRef = useRef<SignaturePadLib | null>(null);
  /** Whether the current value was made on this pad in this sitting (else it came from outside). */
  const drawnHereRef = useRef(false);
  const stampedRef = useRef<string | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [padError, setPadError] = useState<string | null>(null);
  const showingSaved = value !== null && !drawnHereRef.current;

  const labelId = `${id}-label`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const stateId = `${id}-state`;

  const emit = () => {
    const pad = padRef.current;
    const canvas = canvasRef.current;
    if (!pad || !canvas) return;
    if (pad.isEmpty() && stampedRef.current === null) {
      onChangeRef.current(null);
      return;
    }
    drawnHereRef.current = true;
    onChangeRef.current(canvas.toDataURL(PNG));
  };

  const stamp = (ctx: CanvasRenderingContext2D, canvas: HTMLCanvasElement, name: string) => {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const width = canvas.width / ratio;
    const height = canvas.height / ratio;
    ctx.save();
    ctx.fillStyle = 'rgb(20,20,40)';
    ctx.textBaseline = 'middle';
    ctx.font = `italic ${Math.max(18, Math.round(height / 4))}px "Segoe Script", "Brush Script MT", "Snell Roundhand", cursive`;
    ctx.fillText(name, 16, height / 2, Math.max(width - 32, 40));
    ctx.restore();
  };

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let pad: SignaturePadLib;
    try {
      pad = signaturePads.create(canvas);
    } catch (err) {
      console.error(err);
      setPadError('This device could not open a drawing area for the signature. Try another browser, or use Sign with keyboard.');
      return;
    }
    padRef.current = pad;
    setPadError(null);
    if (disabled) pad.off();
    const onEnd = () => emit();
    pad.addEventListener('endStroke', onEnd);

    // The canvas's pixels must match its displayed size (times the screen density) or strokes land
    // away from the pen; redraw what was there after each resize (turning a tablet, for one).
    const fit = () => {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const width = canvas.offsetWidth;
      const height = canvas.offsetHeight;
      if (width === 0 || height === 0) return;
      if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) return;
      const strokes = pad.toData();
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.getContext('2d')?.scale(ratio, ratio);
      pad.clear();
      if (strokes.length > 0) pad.fromData(strokes);
      const ctx = canvas.getContext('2d');
      if (stampedRef.current !== null && ctx) stamp(ctx, canvas, stampedRef.current);
    };
    fit();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => fit());
    observer?.observe(canvas);
    return () => {
      observer?.disconnect();
      pad.removeEventListener('endStroke', onEnd);
      pad.off();
      padRef.current = null;
    };
  }, [showingSaved]);

  useEffect(() => {
    const pad = padRef.current;
    if (!pad) return;
    if (disabled) pad.off();
    else pad.on();
  }, [disabled]);

  const clear = () => {
    drawnHereRef.current = false;
    stampedRef.current = null;
    padRef.current?.clear();
    onChange(null);
    // After "Clear and sign again" the canvas replaces the image: keep focus on a control that stays.
    requestAnimationFrame(() => document.getElementById(`${id}-keyboard`)?.focus());
  };

  const signWithKeyboard = () => {
    const pad = padRef.current;
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!pad || !canvas || !ctx) {
      setPadError('This device could not write on the signature area.');
      return;
    }
    pad.clear();
    stampedRef.current = signerName;
    stamp(ctx, canvas, signerName);
    emit();
  };

  const signed = value !== null;
  const describedBy = [hintId, error ? errorId : null, stateId].filter(Boolean).join(' ');

  return (
    <div class={`signature-pad${error ? ' invalid' : ''}`} data-testid={`${id}-signature`}>
      <p class="label" id={labelId}>
        {label}
      </p>
      <p class="hint small muted" id={hintId}>
        {hint ?? `Draw the signature with a finger, stylus or mouse. If you cannot draw, Sign with keyboard writes ${signerName}'s name as the signature.`}
      </p>
      {error && (
        <p class="error-text" id={errorId}>
          {error}
        </p>
      )}
      {padError && (
        <p class="error-text" role="alert">
          {padError}
        </p>
      )}
      {showingSaved ? (
        <img class="signature-image" src={value!} alt={`Signature of ${signerName}`} />
      ) : (
        <canvas
          ref={canvasRef}
          class="signature-canvas"
          role="img"
          aria-labelledby={labelId}
          aria-describedby={describedBy}
          style={disabled ? { opacity: 0.6 } : undefined}
        />
      )}
      <p class="small" id={stateId} role="status" aria-live="polite">
        {signed ? `Signed by ${signerName}.` : 'Not signed yet.'}
      </p>
      <div class="actions" style={{ marginTop: 0 }}>
        {!showingSaved && (
          <button type="button" class="button secondary" id={`${id}-keyboard`} disabled={disabled} onClick={signWithKeyboard}>
            Sign with keyboard<span class="visually-hidden"> as {signerName}</span>
          </button>
        )}
        <button type="button" class="button secondary" disabled={disabled || !signed} onClick={clear}>
          {showingSaved ? 'Clear and sign again' : 'Clear'}
          <span class="visually-hidden"> {label}</span>
        </button>
      </div>
    </div>
  );
}

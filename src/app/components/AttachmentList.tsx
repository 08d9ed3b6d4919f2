import { useEffect, useState } from 'preact/hooks';
import type { AttachmentRef } from '../../domain/evidence';
import { attachmentBlob } from '../../data/evidence';
import { formatBytes } from '../../data/storage';
import { useServices } from '../services';

/**
 * How Blobs become URLs. A module-level seam so tests (and any environment without object URLs)
 * can swap it instead of patching globals.
 */
export const objectUrls = {
  create: (blob: Blob): string => URL.createObjectURL(blob),
  revoke: (url: string): void => URL.revokeObjectURL(url),
};

export const PHOTO_ACCEPT = 'image/*,video/*';
export const FILE_ACCEPT =
  'image/*,video/*,audio/*,application/pdf,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.csv';
/** Above this a file takes long enough to check that the user needs to be told to wait. */
export const LARGE_FILE_BYTES = 32 * 1024 * 1024;

type Kind = 'image' | 'video' | 'audio' | 'other';

function kindOf(type: string): Kind {
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'other';
}

function typeLabel(a: AttachmentRef): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(a.name)?.[1]?.toUpperCase();
  switch (kindOf(a.type)) {
    case 'image':
      return ext ? `${ext} image` : 'Image';
    case 'video':
      return ext ? `${ext} video` : 'Video';
    case 'audio':
      return ext ? `${ext} audio` : 'Audio';
    default:
      if (a.type === 'application/pdf') return 'PDF';
      return ext ? `${ext} file` : a.type || 'File';
  }
}

interface StoredFile {
  url: string | null;
  missing: boolean;
  /** Fetching the bytes from the centre (a file added on another device). */
  downloading: boolean;
  downloadError: unknown;
  retry: () => void;
}

/**
 * Loads the stored Blob as an object URL for as long as the caller is mounted. A file added on
 * another device is fetched from the centre the first time it is viewed (when signed in).
 */
function useObjectUrl(attachment: AttachmentRef): StoredFile {
  const { sync } = useServices();
  const [state, setState] = useState<{ url: string | null; missing: boolean }>({ url: null, missing: false });
  const [download, setDownload] = useState<{ running: boolean; error: unknown; attempt: number }>({ running: false, error: null, attempt: 0 });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let url: string | null = null;
    let cancelled = false;
    attachmentBlob(attachment.id).then(
      (blob) => {
        if (cancelled) return;
        if (!blob) return setState({ url: null, missing: true });
        url = objectUrls.create(blob);
        setState({ url, missing: false });
      },
      (error: unknown) => {
        console.error(error);
        if (!cancelled) setState({ url: null, missing: true });
      },
    );
    return () => {
      cancelled = true;
      // Object URLs pin the Blob in memory until revoked; photos and videos are large.
      if (url) objectUrls.revoke(url);
    };
  }, [attachment.id, version]);
  useEffect(() => {
    if (!state.missing || !sync.canDownload() || download.error !== null) return;
    let cancelled = false;
    setDownload((d) => ({ ...d, running: true }));
    sync.downloadAttachment(attachment).then(
      () => {
        if (cancelled) return;
        setDownload((d) => ({ ...d, running: false }));
        setVersion((v) => v + 1);
      },
      (error: unknown) => {
        console.error(error);
        if (!cancelled) setDownload((d) => ({ ...d, running: false, error }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [state.missing, download.attempt]);
  return {
    ...state,
    downloading: download.running,
    downloadError: download.error,
    retry: () => setDownload((d) => ({ running: false, error: null, attempt: d.attempt + 1 })),
  };
}

function AttachmentItem({ attachment, onRemove, busy, viewPdf }: { attachment: AttachmentRef; onRemove?: ((a: AttachmentRef) => void) | undefined; busy: boolean; viewPdf: boolean }) {
  const { url, missing, downloading, downloadError, retry } = useObjectUrl(attachment);
  const kind = kindOf(attachment.type);
  const mediaStyle = { display: 'block', maxWidth: '100%', maxHeight: '16rem', borderRadius: 'var(--radius)', marginBottom: '0.5rem' };
  return (
    <li style={{ padding: '0.75rem 0' }}>
      {url && kind === 'image' && <img src={url} alt={attachment.name} loading="lazy" style={mediaStyle} />}
      {url && kind === 'video' && (
        <video src={url} controls preload="metadata" style={mediaStyle} aria-label={attachment.name}>
          <a href={url} download={attachment.name}>
            Download {attachment.name}
          </a>
        </video>
      )}
      {url && kind === 'audio' && <audio src={url} controls preload="metadata" style={{ display: 'block', maxWidth: '100%', marginBottom: '0.5rem' }} aria-label={attachment.name} />}
      {url && viewPdf && attachment.type === 'application/pdf' && (
        // The local copy, so it opens offline; browsers without a PDF viewer show the link inside.
        <object data={url} type="application/pdf" class="pdf-view" aria-label={attachment.name}>
          <p>
            This browser cannot show PDFs here.{' '}
            <a href={url} target="_blank" rel="noopener">
              Open {attachment.name}
            </a>
          </p>
        </object>
      )}
      <p style={{ marginBottom: '0.25rem', overflowWrap: 'anywhere' }}>
        {url && kind === 'other' && viewPdf && attachment.type === 'application/pdf' ? (
          <a href={url} target="_blank" rel="noopener">
            Open {attachment.name}
          </a>
        ) : url && kind === 'other' ? (
          <a href={url} download={attachment.name}>
            {attachment.name}
          </a>
        ) : (
          <strong>{attachment.name}</strong>
        )}{' '}
        <span class="small muted">
          {typeLabel(attachment)} · {formatBytes(attachment.size)}
        </span>
      </p>
      {missing && downloading && (
        <p class="small muted" role="status">
          Not on this device yet: downloading it from your centre…
        </p>
      )}
      {missing && !downloading && downloadError === null && (
        <p class="small muted">This file is not on this device yet. It will appear once it has been downloaded from your centre.</p>
      )}
      {missing && downloadError !== null && (
        <div class="small" role="alert">
          <p>
            This file is not on this device yet, and downloading it failed: {downloadError instanceof Error ? downloadError.message : String(downloadError)}
          </p>
          <button type="button" class="button secondary" onClick={retry}>
            Try downloading {attachment.name} again
          </button>
        </div>
      )}
      {onRemove && (
        <button type="button" class="button secondary" disabled={busy} aria-label={`Remove ${attachment.name}`} onClick={() => onRemove(attachment)}>
          Remove
        </button>
      )}
    </li>
  );
}

/**
 * The files of an item. Without onRemove the list is read-only (locked or deleted items, earlier
 * versions). viewPdf shows PDFs inline too (the assessor's review), each with a link to open it whole.
 */
export function AttachmentList({ attachments, onRemove, busy = false, viewPdf = false }: { attachments: AttachmentRef[]; onRemove?: (a: AttachmentRef) => void; busy?: boolean; viewPdf?: boolean }) {
  if (attachments.length === 0) return <p class="muted small">No files yet.</p>;
  return (
    <ul class="list">
      {attachments.map((a) => (
        <AttachmentItem key={a.id} attachment={a} onRemove={onRemove} busy={busy} viewPdf={viewPdf} />
      ))}
    </ul>
  );
}

/**
 * A real, labelled file input that looks like a 44px button. The input is visually hidden but
 * stays focusable, so keyboard and screen-reader users operate it directly; the label shows the
 * focus ring on its behalf.
 */
export function FileButton(props: { id: string; label: string; accept: string; capture?: 'environment'; multiple?: boolean; disabled: boolean; describedBy?: string; onFiles: (files: File[]) => void }) {
  const [focused, setFocused] = useState(false);
  return (
    <span>
      <input
        id={props.id}
        type="file"
        class="visually-hidden"
        accept={props.accept}
        capture={props.capture}
        multiple={props.multiple}
        disabled={props.disabled}
        aria-describedby={props.describedBy}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onChange={(e) => {
          const input = e.currentTarget;
          const files = Array.from(input.files ?? []);
          // Cleared so that picking the same file again still fires a change.
          input.value = '';
          if (files.length > 0) props.onFiles(files);
        }}
      />
      <label
        for={props.id}
        class="button secondary"
        aria-disabled={props.disabled ? 'true' : undefined}
        style={{
          margin: 0,
          ...(props.disabled ? { opacity: 0.6, cursor: 'not-allowed' } : {}),
          ...(focused ? { outline: '3px solid var(--focus)', outlineOffset: '2px', boxShadow: '0 0 0 5px var(--text)' } : {}),
        }}
      >
        {props.label}
      </label>
    </span>
  );
}

export function AttachmentInputs({ idPrefix = 'attach', disabled = false, onFiles }: { idPrefix?: string; disabled?: boolean; onFiles: (files: File[]) => void }) {
  const hintId = `${idPrefix}-hint`;
  return (
    <div>
      <p class="hint small muted" id={hintId}>
        Photos, videos, recordings, PDFs and office documents, any size. Files are kept on this device and sent to your centre when you are online.
      </p>
      <div class="actions" style={{ marginTop: 0 }}>
        <FileButton id={`${idPrefix}-camera`} label="Take photo or video" accept={PHOTO_ACCEPT} capture="environment" disabled={disabled} describedBy={hintId} onFiles={onFiles} />
        <FileButton id={`${idPrefix}-files`} label="Add files" accept={FILE_ACCEPT} multiple disabled={disabled} describedBy={hintId} onFiles={onFiles} />
      </div>
    </div>
  );
}

/** Shown while files are being checked and stored; `fraction` is null when progress is unknown. */
export function AddingFiles({ files, fraction }: { files: Array<{ name: string; size: number }>; fraction: number | null }) {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const large = total >= LARGE_FILE_BYTES;
  const names = files.length === 1 ? files[0]!.name : `${files.length} files`;
  return (
    <div class="banner info" role="status">
      <p>
        <strong>
          Adding {names} ({formatBytes(total)})…
        </strong>
        {large && ' Large files take a while to check and store. Keep this page open; you can carry on typing.'}
      </p>
      <progress
        aria-label={`Adding ${names}`}
        max={1}
        {...(fraction === null ? {} : { value: fraction })}
        style={{ width: '100%', height: '1rem' }}
      >
        {fraction === null ? 'Working…' : `${Math.round(fraction * 100)}%`}
      </progress>
    </div>
  );
}

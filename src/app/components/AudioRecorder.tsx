import { useEffect, useRef, useState } from 'preact/hooks';
import { FileButton } from './AttachmentList';

/** The browser's recording APIs, behind a seam so tests can stand in for a microphone. */
export const recording = {
  supported: (): boolean => typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia,
  getStream: (): Promise<MediaStream> => navigator.mediaDevices.getUserMedia({ audio: true }),
  createRecorder: (stream: MediaStream): MediaRecorder => {
    const type = ['audio/webm;codecs=opus', 'audio/mp4', 'audio/ogg;codecs=opus', 'audio/webm'].find((t) => MediaRecorder.isTypeSupported?.(t));
    return type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
  },
};

type State =
  | { kind: 'idle' }
  | { kind: 'asking' }
  | { kind: 'recording'; startedAt: number }
  | { kind: 'saving' }
  | { kind: 'saved'; name: string }
  | { kind: 'refused'; message: string };

/** Why the microphone could not be used, in words a person can act on. */
export function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return "Microphone access was refused. To record here, allow the microphone for this site in the browser's settings, or attach an audio file recorded in another app.";
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No microphone was found on this device. Attach an audio file recorded on another device instead.';
  if (name === 'NotReadableError') return 'The microphone is in use by another app. Close that app and try again, or attach an audio file instead.';
  return `The recording could not start (${error instanceof Error ? error.message : String(error)}). Attach an audio file instead.`;
}

function extensionOf(type: string): string {
  if (type.includes('mp4')) return 'm4a';
  if (type.includes('ogg')) return 'ogg';
  return 'webm';
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * Records a professional discussion with the device's microphone and hands the file to the caller,
 * which stores it as an attachment (so it is kept offline and synced like any file). Without a
 * microphone, or when access is refused, it says so and offers to attach an audio file instead.
 */
export function AudioRecorder({ id, baseName, onRecorded, disabled = false }: { id: string; baseName: string; onRecorded: (file: File) => Promise<void>; disabled?: boolean }) {
  const supported = recording.supported();
  const [state, setState] = useState<State>(supported ? { kind: 'idle' } : { kind: 'refused', message: 'This browser cannot record audio. Attach an audio file recorded in another app instead.' });
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string | null>(null);
  const recorderRef = useRef<MediaRecorder | null>(null);
  const streamRef = useRef<MediaStream | null>(null);

  const release = () => {
    streamRef.current?.getTracks().forEach((t) => t.stop());
    streamRef.current = null;
  };

  // Leaving the page mid-recording must not leave the microphone on.
  useEffect(() => () => {
    if (recorderRef.current?.state === 'recording') recorderRef.current.stop();
    release();
  }, []);

  useEffect(() => {
    if (state.kind !== 'recording') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state.kind]);

  const save = async (file: File) => {
    setState({ kind: 'saving' });
    setError(null);
    try {
      await onRecorded(file);
      setState({ kind: 'saved', name: file.name });
    } catch (err) {
      console.error(err);
      setError(`The recording was not saved: ${err instanceof Error ? err.message : String(err)}`);
      setState(supported ? { kind: 'idle' } : { kind: 'refused', message: 'Attach the audio file again.' });
    }
  };

  const start = async () => {
    setError(null);
    setState({ kind: 'asking' });
    let stream: MediaStream;
    try {
      stream = await recording.getStream();
    } catch (err) {
      console.error(err);
      setState({ kind: 'refused', message: microphoneProblem(err) });
      return;
    }
    streamRef.current = stream;
    const chunks: Blob[] = [];
    let recorder: MediaRecorder;
    try {
      recorder = recording.createRecorder(stream);
    } catch (err) {
      release();
      setState({ kind: 'refused', message: microphoneProblem(err) });
      return;
    }
    recorderRef.current = recorder;
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    });
    recorder.addEventListener('stop', () => {
      release();
      const type = recorder.mimeType || chunks[0]?.type || 'audio/webm';
      const stamp = new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '');
      void save(new File(chunks, `${baseName}-${stamp}.${extensionOf(type)}`, { type: type.split(';')[0]! }));
    });
    // A slice every few seconds, so a long discussion is not one giant buffer at the end.
    recorder.start(5000);
    setNow(Date.now());
    setState({ kind: 'recording', startedAt: Date.now() });
  };

  const stop = () => recorderRef.current?.stop();

  return (
    <div class="audio-recorder" aria-labelledby={`${id}-heading`} role="group">
      <h3 id={`${id}-heading`}>Audio recording</h3>
      <p class="small muted" id={`${id}-hint`}>
        Ask the learner's permission before you record. The recording is kept on this tablet as a file of this evidence and sent to the centre when you sync.
      </p>
      <p role="status" aria-live="polite" class="small">
        {state.kind === 'asking'
          ? 'Asking for the microphone…'
          : state.kind === 'recording'
            ? 'Recording.'
            : state.kind === 'saving'
              ? 'Saving the recording…'
              : state.kind === 'saved'
                ? `Recording saved as ${state.name}.`
                : ''}
      </p>
      {state.kind === 'recording' && (
        <p class="recording-clock" aria-hidden="true">
          <span class="recording-dot" /> {clock((now - state.startedAt) / 1000)}
        </p>
      )}
      {state.kind === 'refused' && (
        <p class="banner warn" role="alert">
          {state.message}
        </p>
      )}
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      <div class="actions" style={{ marginTop: 0 }}>
        {state.kind === 'recording' ? (
          <button type="button" class="button danger" onClick={stop}>
            Stop and save the recording
          </button>
        ) : (
          supported && (
            <button type="button" class="button" disabled={disabled || state.kind === 'asking' || state.kind === 'saving'} aria-describedby={`${id}-hint`} onClick={() => void start()}>
              {state.kind === 'saved' ? 'Record another part' : 'Start recording'}
            </button>
          )
        )}
        <FileButton
          id={`${id}-file`}
          label="Attach an audio file"
          accept="audio/*"
          disabled={disabled || state.kind === 'recording' || state.kind === 'saving'}
          describedBy={`${id}-hint`}
          onFiles={(files) => {
            for (const file of files) void save(file);
          }}
        />
      </div>
    </div>
  );
}

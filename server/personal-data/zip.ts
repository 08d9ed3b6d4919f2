import { sectionFile, personalDataFilePath, type SubjectAccessSection } from '../../src/domain/personal-data';
import { exportFilename } from '../export/build';
import { fitsInZip, zipDownload, type ZipSource } from '../export/zip';
import type { ContentStore } from '../files/store';
import { refuse } from '../http-errors';
import { renderSubjectAccessReadme, SECTION_WORDS } from './readme';
import type { SubjectAccessBundle } from './subject-access';

const text = (value: string) => new TextEncoder().encode(value);

/** The subject-access ZIP, streamed with the EQA export's ZIP writer: README.txt, one JSON file per section, then files/. */
export async function subjectAccessResponse(bundle: SubjectAccessBundle, store: ContentStore, at: Date): Promise<Response> {
  const present: Array<{ sha256: string; size: number }> = [];
  for (const file of bundle.files) {
    const size = await store.size(file.sha256);
    // Recorded but not on disk: the JSON still lists it, and the operator is told.
    if (size === null) console.error(`Subject-access export: attachment ${file.sha256} is recorded but missing from the file store`);
    else present.push({ sha256: file.sha256, size });
  }
  const sections = (Object.keys(SECTION_WORDS) as SubjectAccessSection[]).map((s) => ({ name: sectionFile(s), bytes: text(`${JSON.stringify(bundle.data[s], null, 2)}\n`) }));
  if (!fitsInZip([...present.map((f) => f.size), ...sections.map((s) => s.bytes.length)]))
    refuse(413, 'too-large', 'This learner holds more than one export file can carry (the ZIP format used holds up to 4 GB). Ask the centre to export the largest videos separately.');

  async function* entries(): AsyncGenerator<ZipSource> {
    yield { name: 'README.txt', compress: true, data: text(renderSubjectAccessReadme(bundle.data, present.length)) };
    for (const s of sections) yield { name: s.name, compress: true, data: s.bytes };
    for (const file of present) yield { name: personalDataFilePath(file.sha256), compress: false, data: chunks(store.read(file.sha256)) };
  }
  const filename = exportFilename(bundle.data.account.name, at).replace(/^eqa-/, 'personal-data-');
  return zipDownload(entries(), at, filename, 'Subject-access export');
}

async function* chunks(source: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel();
  }
}

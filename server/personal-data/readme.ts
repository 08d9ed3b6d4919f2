import { sectionFile, type SubjectAccessExport, type SubjectAccessSection } from '../../src/domain/personal-data';

/** The centre's retention rule in words (the rule itself: src/domain/personal-data.ts). */
export const RETENTION_RULE = (years: number) =>
  `The centre keeps a learner's records for ${years} years after the latest of: the planned end date of their last enrolment, the last change to any of their records (a qualification sign-off is one), the last time one of their devices synced, and the day their account was made. City & Guilds expects assessment records to be kept for at least 3 years after certification. After that an administrator may erase them; the erasure is audited without naming the learner.`;

/** What each JSON file holds, in the order README.txt lists them. */
export const SECTION_WORDS: Record<SubjectAccessSection, string> = {
  about: 'This export: when it was made, by whom, for whom, the centre, and its retention rule.',
  account: 'Your account: id, name, email, role, when it was made and whether it is disabled. Your password is never stored, only a one-way hash of it, which is not included.',
  assessors: 'The assessors who have you on their caseload.',
  profile: 'Your profile (name, employer) with every earlier version.',
  enrolments: 'Your enrolments: qualification, spec version, optional units, dates and planned off-the-job hours, with every earlier version.',
  evidence:
    'Every evidence item, deleted drafts included: title, narrative, dates, method, hours, the criteria it is mapped to, its files, its status, and every earlier version (who saved it, when, from which device).',
  decisions: 'Every signed decision about your work: assessments, feedback, unit and qualification sign-offs, your declarations, and IQA decisions, with their signatures.',
  iqaSamples: 'The internal quality assurance sampling plans whose current sample includes your assessed work, with the items of yours they picked.',
  attachments: 'Every file held for you: its SHA-256, size, type, the names your evidence gave it, and its place in files/.',
  sessions: 'Devices signed in as you: label, device id, when signed in, last seen, expiry and sign-out. Sign-in tokens are stored only as hashes, which are not included.',
  signingKeys: 'The public halves of the signing keys your devices registered (the private halves never left your devices).',
  signInFailures: 'Refused sign-ins with your email: when, and the client address they came from.',
  syncReceipts: 'Every change your devices sent to the centre, with the answer the centre gave.',
  audit: 'The audit log entries about you: what you did, and what others did to your account, records, devices and keys, with who, when and from which device.',
};

export function renderSubjectAccessReadme(data: SubjectAccessExport, fileCount: number): string {
  const sections = (Object.keys(SECTION_WORDS) as SubjectAccessSection[]).map((s) => {
    const value = data[s];
    const count = Array.isArray(value) ? ` (${value.length})` : '';
    return `${`${sectionFile(s)}${count}`.padEnd(26)} ${wrap(SECTION_WORDS[s], 27)}`;
  });
  return `ICT Portfolio: personal data held by ${data.about.centre.name}
${'='.repeat(38 + data.about.centre.name.length)}

For:         ${data.account.name} (${data.account.email}), learner id ${data.account.id}
Exported:    ${data.about.exportedAt} by ${data.about.exportedBy.name} (${data.about.exportedBy.role})
Format:      ${data.about.format}, version ${data.about.version}

This is everything the centre holds about you (UK GDPR Article 15, subject access), as data
a program can read (JSON, UTF-8) and the files themselves. The export is recorded in the
centre's audit log.

What is in this folder
----------------------
${sections.join('\n')}
${'files/'.padEnd(26)} ${wrap(`Every file held for you (${fileCount}), named by the SHA-256 of its bytes: check one with sha256sum. Its original names and type are in attachments.json.`, 27)}

Ids such as "updatedBy", "byUser" and "user" name the person who made a change; the centre's
staff appear by name in audit.json and decisions.json.

How long the centre keeps it
----------------------------
${wrap(data.about.retention.rule, 0)}
`;
}

function wrap(text: string, indent: number, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

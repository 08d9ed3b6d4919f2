import { AdminPage, type AdminScreenProps } from './AdminPage';

const AREAS = [
  { href: '/admin/users', title: 'Users', text: 'Add learners, assessors, IQAs and admins; change names and roles; disable an account; sign a lost device out.' },
  { href: '/admin/caseloads', title: 'Caseloads', text: 'Choose which learners each assessor looks after.' },
  { href: '/admin/enrolments', title: 'Enrolments', text: 'Enrol a learner on a qualification version with dates, off-the-job hours and optional units checked against the rules of combination.' },
  { href: '/admin/specs', title: 'Qualification specs', text: 'Import a new version of a qualification spec. Existing enrolments keep the version they started on.' },
  { href: '/admin/locks', title: 'IQA locks', text: 'Find an item an internal quality assurer locked by agreeing with its sign-off, and unlock it with a reason.' },
];

export default function AdminOverview({ client }: AdminScreenProps) {
  return (
    <AdminPage title="Centre administration" lead="Changes here are made at your centre straight away, so they need a connection." client={client}>
      {(_api, user) => (
        <>
          <p>
            Signed in as <strong>{user.name}</strong>, administrator of {user.centreName}.
          </p>
          <ul class="list card">
            {AREAS.map((area) => (
              <li key={area.href}>
                <a class="list-link" href={area.href}>
                  <span class="list-title">{area.title}</span>
                  <span class="small muted" style={{ display: 'block' }}>
                    {area.text}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </AdminPage>
  );
}

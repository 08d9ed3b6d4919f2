import { ErrorBoundary, LocationProvider, Route, Router, lazy, useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { db } from '../data/db';
import { settleWrites } from '../data/pending-writes';
import { SyncStatusBar } from './components/SyncStatusBar';
import { UpdateBanner } from './components/UpdateBanner';
import { ServicesProvider, defaultServices, useAccount, type AppServices } from './services';
import { useIsAdmin } from './admin/role';
import { useIsIqa } from './iqa/role';
import Home from './screens/Home';

// Home is in the first-load bundle; every other screen loads on first use (and is precached).
const Enrol = lazy(() => import('./screens/Enrol'));
const EvidenceList = lazy(() => import('./screens/EvidenceList'));
const EvidenceEditor = lazy(() => import('./screens/EvidenceEditor'));
const Progress = lazy(() => import('./screens/Progress'));
const IctTech = lazy(() => import('./screens/IctTech'));
const Device = lazy(() => import('./screens/Device'));
const NotFound = lazy(() => import('./screens/NotFound'));
const SignIn = lazy(() => import('./screens/SignIn'));
// Centre admin screens: their own chunks, so learners never download them.
const AdminOverview = lazy(() => import('./admin/Overview'));
const AdminUsers = lazy(() => import('./admin/Users'));
const AdminCaseloads = lazy(() => import('./admin/Caseloads'));
const AdminEnrolments = lazy(() => import('./admin/Enrolments'));
const AdminSpecs = lazy(() => import('./admin/Specs'));
const AdminLocks = lazy(() => import('./admin/Locks'));
// Assessor screens: their own chunks, so learners never download them.
const Caseload = lazy(() => import('./screens/Caseload'));
const AssessorLearner = lazy(() => import('./screens/AssessorLearner'));
const Review = lazy(() => import('./screens/Review'));
const RecordEvidence = lazy(() => import('./screens/RecordEvidence'));
// IQA screens: their own chunks too.
const IqaPlans = lazy(() => import('./iqa/Plans'));
const IqaPlanSample = lazy(() => import('./iqa/PlanSample'));

const NAV = [
  { href: '/', label: 'Home' },
  { href: '/evidence', label: 'Evidence' },
  { href: '/progress', label: 'Progress' },
  { href: '/icttech', label: 'ICTTech' },
  { href: '/device', label: 'Device' },
];

/** An assessor has no portfolio of their own: their tablet is for their caseload. */
const ASSESSOR_NAV = [
  { href: '/caseload', label: 'Caseload' },
  { href: '/device', label: 'Device' },
];

function Navigation() {
  const { path } = useLocation();
  const assessor = useAccount().signIn?.user.role === 'assessor';
  const current = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  const admin = useIsAdmin();
  const iqa = useIsIqa();
  return (
    <nav class="app-nav" aria-label="Main">
      <ul>
        {[...(assessor ? ASSESSOR_NAV : NAV), ...(iqa ? [{ href: '/iqa', label: 'IQA' }] : []), ...(admin ? [{ href: '/admin', label: 'Admin' }] : [])].map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Another tab opened a newer database version: stop writing here and ask for a reload. */
function useDatabaseReplaced(): boolean {
  const [replaced, setReplaced] = useState(false);
  useEffect(() => {
    const database = db();
    const onVersionChange = () => {
      database.close();
      setReplaced(true);
      return false;
    };
    database.on('versionchange', onVersionChange);
    return () => database.on('versionchange').unsubscribe(onVersionChange);
  }, []);
  return replaced;
}

/**
 * The whole app. The screens are keyed by the open database, so signing in or out (which opens
 * another user's database) remounts every screen and no live query keeps reading the old one.
 */
export function App({ services }: { services?: AppServices }) {
  return (
    <ServicesProvider services={services ?? defaultServices()}>
      <LocationProvider>
        <KeyedByDatabase />
      </LocationProvider>
    </ServicesProvider>
  );
}

function KeyedByDatabase() {
  const { databaseName } = useAccount();
  return <Shell key={databaseName} />;
}

function Shell() {
  const replaced = useDatabaseReplaced();
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <a class="brand" href="/">
          ICT Portfolio
        </a>
        <Navigation />
        <SyncStatusBar />
      </header>
      <UpdateBanner beforeReload={settleWrites} />
      {replaced && (
        <div class="banner warn" role="alert">
          <p>ICT Portfolio was updated in another tab. Your work is saved on this device: reload this tab to carry on.</p>
          <button class="button" type="button" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      )}
      <ErrorBoundary>
        <Router>
          <Route path="/" component={Home} />
          <Route path="/enrol" component={Enrol} />
          <Route path="/evidence" component={EvidenceList} />
          <Route path="/evidence/new" component={EvidenceEditor} />
          <Route path="/evidence/:id" component={EvidenceEditor} />
          <Route path="/progress" component={Progress} />
          <Route path="/icttech" component={IctTech} />
          <Route path="/device" component={Device} />
          <Route path="/sign-in" component={SignIn} />
          <Route path="/admin" component={AdminOverview} />
          <Route path="/admin/users" component={AdminUsers} />
          <Route path="/admin/caseloads" component={AdminCaseloads} />
          <Route path="/admin/enrolments" component={AdminEnrolments} />
          <Route path="/admin/specs" component={AdminSpecs} />
          <Route path="/admin/locks" component={AdminLocks} />
          <Route path="/iqa" component={IqaPlans} />
          <Route path="/iqa/plans/:id" component={IqaPlanSample} />
          <Route path="/caseload" component={Caseload} />
          <Route path="/caseload/:learnerId" component={AssessorLearner} />
          <Route path="/caseload/:learnerId/record/:kind" component={RecordEvidence} />
          <Route path="/caseload/:learnerId/record/:kind/:evidenceId" component={RecordEvidence} />
          <Route path="/review/:evidenceId" component={Review} />
          <Route default component={NotFound} />
        </Router>
      </ErrorBoundary>
    </>
  );
}

-- The centre's schema. Synced documents (profiles, enrolments, evidence) live in `records` as
-- validated JSON with a revision and a place in one change sequence; people, sessions and
-- caseloads are relational because the centre queries them for scope on every request.

create table centres (
  id uuid primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key,
  centre_id uuid not null references centres (id),
  email text not null unique,
  name text not null,
  role text not null check (role in ('learner', 'assessor', 'iqa', 'admin')),
  password_hash text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
create index users_centre on users (centre_id);

-- One row per signed-in device. Only the SHA-256 of the token is stored.
create table device_sessions (
  id uuid primary key,
  user_id uuid not null references users (id),
  token_hash text not null unique,
  device_id text not null,
  device_label text not null default '',
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by uuid references users (id)
);
create index device_sessions_user on device_sessions (user_id);

create table caseloads (
  assessor_id uuid not null references users (id),
  learner_id uuid not null references users (id),
  primary key (assessor_id, learner_id)
);
create index caseloads_learner on caseloads (learner_id);

-- Every version of every spec is kept: an enrolment keeps the version it started on.
create table qualification_specs (
  id text not null,
  version integer not null,
  kind text not null check (kind in ('qualification', 'competence-standard')),
  spec jsonb not null,
  imported_at timestamptz not null default now(),
  imported_by uuid references users (id),
  primary key (id, version)
);

-- Pull order. Writers take a transaction-scoped advisory lock before drawing from it, so
-- sequence order is commit order and a pull can never step over a change still committing.
create sequence change_seq;

create table records (
  entity text not null check (entity in ('profile', 'enrolment', 'evidence')),
  id text not null,
  centre_id uuid not null references centres (id),
  learner_id uuid not null references users (id),
  revision integer not null,
  seq bigint not null,
  deleted boolean not null default false,
  data jsonb not null,
  updated_at timestamptz not null default now(),
  updated_by uuid references users (id),
  primary key (entity, id)
);
create index records_centre_seq on records (centre_id, seq);
create index records_learner_seq on records (learner_id, seq);

-- Each revision's data, so a late edit can be merged field by field against what it was based on.
create table record_versions (
  entity text not null,
  id text not null,
  revision integer not null,
  data jsonb not null,
  deleted boolean not null,
  at timestamptz not null default now(),
  by_user uuid references users (id),
  device_id text,
  primary key (entity, id, revision)
);

-- Mutation ids already applied, with the answer given: a repeated push gets the same answer.
create table applied_mutations (
  id uuid primary key,
  user_id uuid not null references users (id),
  result jsonb not null,
  applied_at timestamptz not null default now()
);

-- Content-addressed files; who may read them follows the learner whose evidence holds them.
create table attachments (
  sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null,
  type text not null,
  stored_at timestamptz not null default now()
);
create table attachment_owners (
  sha256 text not null references attachments (sha256),
  learner_id uuid not null references users (id),
  primary key (sha256, learner_id)
);

create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  centre_id uuid,
  user_id uuid,
  device_id text,
  action text not null,
  entity text,
  record_id text,
  detail jsonb not null default '{}'
);
create index audit_log_record on audit_log (entity, record_id);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_change before update or delete on audit_log
  for each row execute function audit_log_append_only();

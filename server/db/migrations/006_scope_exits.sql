-- A learner taken off an assessor's caseload: a tombstone per record of theirs, for that assessor
-- only, so the tablet's next pull drops its copies (ids only, as for an erasure). Each has its own
-- number drawn from change_seq under the change lock, so a pull page never splits a shared number.
-- The learner is not a foreign key: an erasure deletes the users row and these rows with it.
create table scope_exits (
  user_id uuid not null references users (id) on delete cascade,
  entity text not null,
  id text not null,
  learner_id uuid not null,
  revision integer not null,
  seq bigint not null,
  exited_at timestamptz not null,
  primary key (user_id, seq)
);
create index scope_exits_learner on scope_exits (learner_id);

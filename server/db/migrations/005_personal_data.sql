-- Personal data: each centre's retention period, and what an erasure leaves behind
-- (server/personal-data/erase.ts). The rule the period feeds is in src/domain/personal-data.ts.

alter table centres add column retention_years integer not null default 3 check (retention_years between 3 and 50);

-- One row per erased learner: the opaque id (the users row is gone), when, and by whom. Nothing
-- here names the person.
create table erasures (
  learner_id uuid primary key,
  centre_id uuid not null references centres (id),
  erased_at timestamptz not null,
  erased_by uuid references users (id)
);

-- A tombstone per erased record: pull sends it to the centre's staff devices as a deletion, so a
-- tablet that held the learner's records drops them, and push refuses any change to one of them
-- with a readable reason instead of bringing it back. Ids only, drawn from change_seq under the
-- change lock like every other write.
create table erased_records (
  entity text not null,
  id text not null,
  centre_id uuid not null references centres (id),
  learner_id uuid not null references erasures (learner_id),
  revision integer not null,
  seq bigint not null,
  erased_at timestamptz not null,
  primary key (entity, id)
);
create index erased_records_centre_seq on erased_records (centre_id, seq);

-- The audit log stays append-only, with one exception the law requires: an erasure may redact the
-- entries about the learner it erases. Only inside a transaction that set ictp.erasure, and only
-- to the redacted form: who did it (an opaque id), what kind of action, on what kind of record and
-- when all stay; the detail, the device and an email used as a record id go. Deleting stays refused.
create or replace function audit_log_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and current_setting('ictp.erasure', true) = 'on'
     and new.id = old.id and new.at = old.at and new.action = old.action
     and new.centre_id is not distinct from old.centre_id
     and new.user_id is not distinct from old.user_id
     and new.entity is not distinct from old.entity
     and (new.record_id is not distinct from old.record_id or new.record_id is null)
     and (new.device_id is not distinct from old.device_id or new.device_id is null)
     and new.detail = '{"redacted": "erasure"}'::jsonb then
    return new;
  end if;
  raise exception 'audit_log is append-only';
end $$;

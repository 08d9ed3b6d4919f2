-- Assessment: signed decisions travel as the sync entity 'decision'; device signing keys are
-- registered here; IQA sampling plans are the IQA's.

alter table records drop constraint if exists records_entity_check;
alter table records add constraint records_entity_check check (entity in ('profile', 'enrolment', 'evidence', 'decision'));

-- One per user per device: the public half of a key whose private half never leaves the device.
create table signing_keys (
  id uuid primary key,
  user_id uuid not null references users (id),
  centre_id uuid not null references centres (id),
  -- The device session that registered it: revoking a device revokes its key.
  device_session_id uuid references device_sessions (id),
  public_key jsonb not null,
  name text not null,
  role text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references users (id),
  revoke_reason text
);
create index signing_keys_user on signing_keys (user_id);
create index signing_keys_centre on signing_keys (centre_id);

-- An IQA's plan for sampling one assessor's decisions.
create table sampling_plans (
  id uuid primary key,
  centre_id uuid not null references centres (id),
  iqa_id uuid not null references users (id),
  assessor_id uuid not null references users (id),
  percentage integer not null check (percentage between 1 and 100),
  unit_ids jsonb not null default '[]',
  stage text not null check (stage in ('interim', 'summative')),
  methods jsonb not null default '[]',
  -- The seed of the plan's draw, made by the centre when the plan is created (server/sampling.ts),
  -- never by the IQA's device: an IQA cannot try seeds until the sample avoids what they would
  -- rather not look at. Audited with the plan and returned with it and every sample.
  seed text not null default replace(gen_random_uuid()::text, '-', ''),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sampling_plans_centre on sampling_plans (centre_id);

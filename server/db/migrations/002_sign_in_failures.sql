-- Failed sign-ins per email and client address, kept in the database (not in process memory) so
-- the limit holds when several centre processes share one PostgreSQL behind a load balancer.
create table sign_in_failures (
  email text not null,
  client text not null,
  at timestamptz not null
);
create index sign_in_failures_key on sign_in_failures (email, client, at);
create index sign_in_failures_at on sign_in_failures (at);

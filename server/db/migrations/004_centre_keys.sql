-- Each centre's long-term export signing key (server/centre-key.ts): ECDSA P-256, made on first
-- need. The centre certifies device keys and seals EQA exports with it; its RFC 7638 fingerprint
-- is what a centre publishes and `npm run verify -- --centre-key` pins. The private JWK is read
-- only by server/centre-key.ts: no route or export ever selects private_key.
create table centre_keys (
  centre_id uuid primary key references centres (id),
  public_key jsonb not null,
  private_key jsonb not null,
  fingerprint text not null,
  created_at timestamptz not null default now()
);

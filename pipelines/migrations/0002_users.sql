-- Dashboard users, their sessions and login attempts (see pipelines/access.py for what each role may do).
-- Passwords are stored only as argon2 hashes (salted, slow). An account signed in through an OpenID
-- Connect provider is matched on `email` and needs no password.

create table users (
    user_id integer primary key default nextval('seq_id'),
    name varchar not null unique,
    role varchar not null check (role in ('committee', 'zone_leader', 'secretary', 'viewer')),
    branch_id integer,              -- secretary: their branch; zone leader: optionally their own branch
    zone_id integer,                -- zone leader: their zone
    email varchar,                  -- identity at the OpenID Connect provider, when one is configured
    password_hash varchar,
    is_active boolean not null default true,
    is_demo boolean not null default false,
    created_at timestamp not null,
    created_by varchar,
    password_changed_at timestamp
);

-- One row per sign-in; only the sha256 of the session token is kept.
create table sessions (
    session_hash varchar primary key,
    user_name varchar not null,
    started_at timestamp not null,
    expires_at timestamp not null,
    ended_at timestamp
);

-- Every attempt, for the lock-out after repeated failures.
create table login_attempts (
    attempt_id integer primary key default nextval('seq_id'),
    user_name varchar not null,
    attempted_at timestamp not null,
    success boolean not null
);

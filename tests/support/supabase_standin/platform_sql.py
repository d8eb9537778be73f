"""The parts of a Supabase database that exist before a user's migrations run.

Roles (anon, authenticated, service_role), the ``auth`` schema with ``auth.users`` and
``auth.uid()`` reading ``request.jwt.claims`` (as GoTrue/PostgREST set it), the
``supabase_realtime`` publication, Supabase's default grants on ``public``, and the roles
Realtime's own schema (realtime_tenant_schema.sql) is owned by.
"""

from __future__ import annotations

PLATFORM_SQL = """
do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
    if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
    if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
    if not exists (select 1 from pg_roles where rolname = 'supabase_admin') then create role supabase_admin nologin superuser; end if;
    if not exists (select 1 from pg_roles where rolname = 'supabase_realtime_admin') then create role supabase_realtime_admin nologin noinherit; end if;
end $$;

create schema if not exists auth;
create table if not exists auth.users (
    id                  uuid primary key default gen_random_uuid(),
    aud                 text not null default 'authenticated',
    role                text not null default 'authenticated',
    email               text unique,
    encrypted_password  text not null,
    email_confirmed_at  timestamptz,
    last_sign_in_at     timestamptz,
    raw_app_meta_data   jsonb not null default '{"provider": "email", "providers": ["email"]}'::jsonb,
    raw_user_meta_data  jsonb not null default '{}'::jsonb,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);
create table if not exists auth.refresh_tokens (
    id          bigserial primary key,
    token       text not null unique,
    user_id     uuid not null references auth.users (id) on delete cascade,
    revoked     boolean not null default false,
    revoked_at  timestamptz,
    parent      text,
    created_at  timestamptz not null default now()
);

create or replace function auth.jwt() returns jsonb language sql stable as $f$
    select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$f$;
create or replace function auth.uid() returns uuid language sql stable as $f$
    select nullif(auth.jwt() ->> 'sub', '')::uuid
$f$;
create or replace function auth.role() returns text language sql stable as $f$
    select nullif(auth.jwt() ->> 'role', '')
$f$;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on all functions in schema auth to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

do $$ begin
    if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end $$;

create schema if not exists standin;
create table if not exists standin.applied_migrations (
    name        text primary key,
    applied_at  timestamptz not null default now()
);
"""

"""The parts of a Supabase database that exist before a user's migrations run.

Roles (anon, authenticated, service_role), the ``auth`` schema with ``auth.users`` and
``auth.uid()`` reading ``request.jwt.claims`` (as GoTrue/PostgREST set it), the
``supabase_realtime`` publication, and Supabase's default grants on ``public``. Then, after
the migrations, the stand-in's own change capture: a trigger on every table of the
publication writes the row to ``standin_realtime.changes`` and NOTIFYs its id, which the
Realtime endpoint turns into ``postgres_changes`` messages (real Realtime reads the WAL with
wal2json instead; the rows and their order — commit order — are the same).
"""

from __future__ import annotations

PLATFORM_SQL = """
do $$ begin
    if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
    if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
    if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
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

CHANGE_CAPTURE_SQL = """
create schema if not exists standin_realtime;
create table if not exists standin_realtime.changes (
    id                bigserial primary key,
    schema_name       text not null,
    table_name        text not null,
    type              text not null,
    record            jsonb,
    old_record        jsonb,
    commit_timestamp  timestamptz not null default clock_timestamp()
);

create or replace function standin_realtime.capture() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $f$
declare
    v_id bigint;
begin
    insert into standin_realtime.changes (schema_name, table_name, type, record, old_record)
    values (
        tg_table_schema, tg_table_name, tg_op,
        case when tg_op = 'DELETE' then null else to_jsonb(new) end,
        case when tg_op = 'INSERT' then null else to_jsonb(old) end
    )
    returning id into v_id;
    perform pg_notify('standin_realtime', v_id::text);
    return null;
end;
$f$;

do $$
declare
    t record;
begin
    for t in select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime' loop
        execute format('drop trigger if exists standin_realtime_capture on %I.%I', t.schemaname, t.tablename);
        execute format(
            'create trigger standin_realtime_capture after insert or update or delete on %I.%I '
            'for each row execute function standin_realtime.capture()',
            t.schemaname, t.tablename
        );
    end loop;
end $$;
"""

-- Ohm Desktop sync: the local store's tables in your own Supabase project.
--
-- Every row is written by a workstation with a client-generated UUID, so pushing the same row
-- twice is harmless (the app upserts with ON CONFLICT DO NOTHING). A chat is shared by its
-- members: the owner's own workstations (same account) and teammates the owner invites with
-- share_chat(). Row Level Security lets a user read and write only the chats they are a member
-- of; versions and messages are insert-only; nobody updates or deletes another user's rows.
--
-- server_seq is taken from one sequence at insert (and, for chats, at every update): clients
-- catch up with "server_seq > last seen" ordered by server_seq, never by client clocks.
--
-- Apply with `supabase db push` (Supabase CLI) or `psql "$DATABASE_URL" -f <this file>`.

create sequence if not exists public.ohm_sync_seq;

create table public.chats (
    id          uuid primary key,
    owner       uuid not null default auth.uid() references auth.users (id) on delete cascade,
    title       text not null,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    deleted_at  timestamptz,
    server_seq  bigint not null default nextval('public.ohm_sync_seq')
);

create table public.chat_members (
    chat_id     uuid not null references public.chats (id) on delete cascade,
    user_id     uuid not null references auth.users (id) on delete cascade,
    role        text not null default 'member' check (role in ('owner', 'member')),
    added_by    uuid default auth.uid(),
    created_at  timestamptz not null default now(),
    server_seq  bigint not null default nextval('public.ohm_sync_seq'),
    primary key (chat_id, user_id)
);

create table public.messages (
    id            uuid primary key,
    chat_id       uuid not null references public.chats (id) on delete cascade,
    owner         uuid not null default auth.uid() references auth.users (id) on delete cascade,
    seq           integer not null check (seq > 0),
    role          text not null check (role in ('user', 'assistant', 'system', 'tool')),
    content       text not null,
    status        text not null default 'complete'
                  check (status in ('complete', 'streaming', 'interrupted', 'error')),
    agent_intent  text,
    agent_name    text,
    model         text,
    metadata      jsonb not null default '{}'::jsonb,
    created_at    timestamptz not null,
    server_seq    bigint not null default nextval('public.ohm_sync_seq'),
    unique (chat_id, seq)
);

create table public.artifacts (
    id          uuid primary key,
    chat_id     uuid not null references public.chats (id) on delete cascade,
    owner       uuid not null default auth.uid() references auth.users (id) on delete cascade,
    type        text not null check (type in ('bom', 'code', 'wiring')),
    created_at  timestamptz not null,
    server_seq  bigint not null default nextval('public.ohm_sync_seq'),
    unique (chat_id, type)
);

-- Two workstations that both start a chat's BOM while offline make two artifact ids for one
-- (chat, type). The first to arrive is kept; the other id becomes an alias, and versions
-- pushed under it are filed under the kept artifact (see ohm_before_version_insert).
create table public.artifact_aliases (
    alias_id     uuid primary key,
    artifact_id  uuid not null references public.artifacts (id) on delete cascade,
    chat_id      uuid not null references public.chats (id) on delete cascade,
    created_at   timestamptz not null default now()
);

create table public.artifact_versions (
    id              uuid primary key,
    artifact_id     uuid not null references public.artifacts (id) on delete cascade,
    chat_id         uuid not null references public.chats (id) on delete cascade,
    owner           uuid not null default auth.uid() references auth.users (id) on delete cascade,
    version_number  integer not null check (version_number > 0),
    content         jsonb not null,
    change_summary  text not null,
    created_by      text not null,
    message_id      uuid,
    created_at      timestamptz not null,
    server_seq      bigint not null default nextval('public.ohm_sync_seq'),
    unique (artifact_id, version_number)
);

-- Catch-up reads "server_seq > cursor order by server_seq"; membership checks read by user.
create index chats_by_server_seq on public.chats (server_seq);
create index chat_members_by_server_seq on public.chat_members (server_seq);
create index chat_members_by_user on public.chat_members (user_id, chat_id);
create index messages_by_server_seq on public.messages (server_seq);
create index artifacts_by_server_seq on public.artifacts (server_seq);
create index artifact_versions_by_server_seq on public.artifact_versions (server_seq);
create index artifact_versions_by_chat on public.artifact_versions (chat_id);

-- ------------------------------------------------------------------ membership
-- SECURITY DEFINER so policies can ask "is the caller a member" without recursing into
-- chat_members' own policy.
create function public.is_chat_member(p_chat_id uuid) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
    select exists (
        select 1 from public.chat_members m where m.chat_id = p_chat_id and m.user_id = auth.uid()
    );
$$;

create function public.ohm_after_chat_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    insert into public.chat_members (chat_id, user_id, role, added_by)
    values (new.id, new.owner, 'owner', new.owner)
    on conflict do nothing;
    return null;
end;
$$;

create trigger chats_owner_is_member after insert on public.chats
    for each row execute function public.ohm_after_chat_insert();

-- A chat's row changes (rename, trash): it gets a new server_seq so catch-up sees the change.
create function public.ohm_before_chat_update() returns trigger
language plpgsql set search_path = public, pg_temp as $$
begin
    new.owner := old.owner;
    new.server_seq := nextval('public.ohm_sync_seq');
    return new;
end;
$$;

create trigger chats_touch_server_seq before update on public.chats
    for each row execute function public.ohm_before_chat_update();

-- Invite a teammate (by the email of their Supabase account) to one of your chats.
create function public.share_chat(p_chat_id uuid, p_email text) returns public.chat_members
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_user uuid;
    v_row public.chat_members;
begin
    if not exists (select 1 from public.chats c where c.id = p_chat_id and c.owner = auth.uid()) then
        raise exception 'only the owner of a chat can share it' using errcode = '42501';
    end if;
    select u.id into v_user from auth.users u where lower(u.email) = lower(p_email);
    if v_user is null then
        raise exception 'there is no account with the email %', p_email using errcode = 'P0002';
    end if;
    insert into public.chat_members (chat_id, user_id, role, added_by)
    values (p_chat_id, v_user, 'member', auth.uid())
    on conflict (chat_id, user_id) do nothing;
    select * into v_row from public.chat_members m where m.chat_id = p_chat_id and m.user_id = v_user;
    return v_row;
end;
$$;

-- ------------------------------------------------------- collisions between workstations
-- Two workstations may number a new message or version the same while apart. The later
-- arrival is renumbered to the end (max + 1), never dropped; the writers' transactions are
-- serialised per chat / per artifact by an advisory lock so two renumberings cannot collide.
create function public.ohm_before_message_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    if not public.is_chat_member(new.chat_id) then
        return new;  -- RLS rejects it
    end if;
    if exists (select 1 from public.messages m where m.id = new.id) then
        return new;  -- a re-push: ON CONFLICT (id) DO NOTHING drops it
    end if;
    perform pg_advisory_xact_lock(hashtextextended('ohm.messages:' || new.chat_id::text, 0));
    if exists (select 1 from public.messages m where m.chat_id = new.chat_id and m.seq = new.seq) then
        select coalesce(max(m.seq), 0) + 1 into new.seq from public.messages m where m.chat_id = new.chat_id;
    end if;
    return new;
end;
$$;

create trigger messages_renumber_collisions before insert on public.messages
    for each row execute function public.ohm_before_message_insert();

create function public.ohm_before_artifact_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_kept uuid;
begin
    if not public.is_chat_member(new.chat_id) or exists (select 1 from public.artifacts a where a.id = new.id) then
        return new;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('ohm.artifacts:' || new.chat_id::text, 0));
    select a.id into v_kept from public.artifacts a where a.chat_id = new.chat_id and a.type = new.type;
    if v_kept is not null then
        insert into public.artifact_aliases (alias_id, artifact_id, chat_id)
        values (new.id, v_kept, new.chat_id)
        on conflict (alias_id) do nothing;
        return null;  -- the kept artifact stands for this one
    end if;
    return new;
end;
$$;

create trigger artifacts_merge_duplicates before insert on public.artifacts
    for each row execute function public.ohm_before_artifact_insert();

create function public.ohm_before_version_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_kept uuid;
    v_chat uuid;
begin
    select a.artifact_id into v_kept from public.artifact_aliases a where a.alias_id = new.artifact_id;
    if v_kept is not null then
        new.artifact_id := v_kept;
    end if;
    select a.chat_id into v_chat from public.artifacts a where a.id = new.artifact_id;
    if v_chat is null or not public.is_chat_member(v_chat) then
        return new;  -- the foreign key or RLS rejects it
    end if;
    new.chat_id := v_chat;
    if exists (select 1 from public.artifact_versions v where v.id = new.id) then
        return new;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('ohm.versions:' || new.artifact_id::text, 0));
    if exists (
        select 1 from public.artifact_versions v
        where v.artifact_id = new.artifact_id and v.version_number = new.version_number
    ) then
        select coalesce(max(v.version_number), 0) + 1 into new.version_number
        from public.artifact_versions v where v.artifact_id = new.artifact_id;
    end if;
    return new;
end;
$$;

create trigger artifact_versions_renumber_collisions before insert on public.artifact_versions
    for each row execute function public.ohm_before_version_insert();

-- --------------------------------------------------------------------------- RLS
alter table public.chats enable row level security;
alter table public.chat_members enable row level security;
alter table public.messages enable row level security;
alter table public.artifacts enable row level security;
alter table public.artifact_aliases enable row level security;
alter table public.artifact_versions enable row level security;

create policy chats_select on public.chats for select to authenticated
    using (owner = (select auth.uid()) or public.is_chat_member(id));
create policy chats_insert on public.chats for insert to authenticated
    with check (owner = (select auth.uid()));
create policy chats_update on public.chats for update to authenticated
    using (owner = (select auth.uid())) with check (owner = (select auth.uid()));

create policy chat_members_select on public.chat_members for select to authenticated
    using (user_id = (select auth.uid()) or public.is_chat_member(chat_id));
create policy chat_members_insert on public.chat_members for insert to authenticated
    with check (exists (select 1 from public.chats c where c.id = chat_id and c.owner = (select auth.uid())));
create policy chat_members_delete on public.chat_members for delete to authenticated
    using (
        user_id = (select auth.uid())
        or exists (select 1 from public.chats c where c.id = chat_id and c.owner = (select auth.uid()))
    );

create policy messages_select on public.messages for select to authenticated
    using (chat_id in (select m.chat_id from public.chat_members m where m.user_id = (select auth.uid())));
create policy messages_insert on public.messages for insert to authenticated
    with check (owner = (select auth.uid()) and public.is_chat_member(chat_id));

create policy artifacts_select on public.artifacts for select to authenticated
    using (chat_id in (select m.chat_id from public.chat_members m where m.user_id = (select auth.uid())));
create policy artifacts_insert on public.artifacts for insert to authenticated
    with check (owner = (select auth.uid()) and public.is_chat_member(chat_id));

create policy artifact_aliases_select on public.artifact_aliases for select to authenticated
    using (public.is_chat_member(chat_id));

create policy artifact_versions_select on public.artifact_versions for select to authenticated
    using (chat_id in (select m.chat_id from public.chat_members m where m.user_id = (select auth.uid())));
create policy artifact_versions_insert on public.artifact_versions for insert to authenticated
    with check (owner = (select auth.uid()) and public.is_chat_member(chat_id));

-- Supabase grants everything on public to anon/authenticated by default: narrow it to what
-- the policies allow, so a forgotten policy can never widen access.
revoke all on public.chats, public.chat_members, public.messages, public.artifacts,
    public.artifact_aliases, public.artifact_versions from anon, authenticated;
grant select, insert, update on public.chats to authenticated;
grant select, insert, delete on public.chat_members to authenticated;
grant select, insert on public.messages, public.artifacts, public.artifact_versions to authenticated;
grant select on public.artifact_aliases to authenticated;
grant usage on sequence public.ohm_sync_seq to authenticated;
revoke all on function public.share_chat(uuid, text) from public, anon;
grant execute on function public.share_chat(uuid, text) to authenticated;

-- ---------------------------------------------------------------------- Realtime
alter publication supabase_realtime add table
    public.chats, public.chat_members, public.messages, public.artifacts, public.artifact_versions;

-- Ohm Desktop: every row stays inside its own chat, and sharing needs the invitee's yes.
--
-- Found by trying it as an attacker would (issue #12): a stranger — or a teammate removed from a
-- chat who still knows its artifact ids — could add a version to someone else's artifact by
-- naming their own chat in `chat_id`; the version trigger kept that chat when the caller was not
-- a member of the artifact's, and the insert policy checked only the client's `chat_id`. They
-- could pick the version number (2^31-1 froze the victim's numbering for good), and anyone could
-- be added to any chat with share_chat(), which also told who has an account.
--
-- What this migration does (projects set up with the earlier ones apply only this one):
--  1. Rows the old rules let in across chats, and numbers beyond OHM_MAX_NUMBER, are moved to
--     ohm_quarantine (readable only from the dashboard), then composite foreign keys tie a
--     version's and an alias's chat to its artifact's chat, and checks bound the numbers.
--  2. The insert triggers refuse a caller who is not a member of the parent's chat (the same
--     answer whether the parent exists or not), force the child's chat to the parent's, and the
--     server numbers every new version and message itself (the next free number).
--  3. Nobody inserts chat_members directly any more: share_chat() creates a pending invitation,
--     and only accept_invitation() by the invitee makes them a member. Known and unknown emails
--     get the same answer (nothing is returned).
--  4. chat_members leaves the Realtime publication (Realtime sends every DELETE to every
--     subscriber, unfiltered): each account reads its own membership_changes instead, which RLS
--     limits to that account, and invitations reach only their invitee the same way.

-- ------------------------------------------------------------------ 1. repair
-- One bound for version numbers and message sequence numbers (the app uses the same, see
-- ohm_desktop/store/remote_checks.py): far beyond any real chat, far below integer's end.
create function public.ohm_max_number() returns integer
language sql immutable set search_path = public, pg_temp as $$ select 1000000 $$;

create table public.ohm_quarantine (
    id              bigint generated always as identity primary key,
    table_name      text not null,
    reason          text not null,
    row_data        jsonb not null,
    quarantined_at  timestamptz not null default now()
);
alter table public.ohm_quarantine enable row level security;  -- no policy: dashboard only

with moved as (
    delete from public.artifact_versions v
    using public.artifacts a
    where a.id = v.artifact_id and (a.chat_id <> v.chat_id or v.version_number > public.ohm_max_number())
    returning v.*, a.chat_id as artifact_chat
)
insert into public.ohm_quarantine (table_name, reason, row_data)
select 'artifact_versions',
       case when chat_id <> artifact_chat then 'filed under an artifact of another chat' else 'version number out of range' end,
       to_jsonb(moved) - 'artifact_chat'
from moved;

with moved as (
    delete from public.artifact_aliases l
    using public.artifacts a
    where a.id = l.artifact_id and a.chat_id <> l.chat_id
    returning l.*
)
insert into public.ohm_quarantine (table_name, reason, row_data)
select 'artifact_aliases', 'alias of an artifact of another chat', to_jsonb(moved) from moved;

with moved as (
    delete from public.messages m where m.seq > public.ohm_max_number() returning m.*
)
insert into public.ohm_quarantine (table_name, reason, row_data)
select 'messages', 'sequence number out of range', to_jsonb(moved) from moved;

alter table public.artifacts add constraint artifacts_id_chat_key unique (id, chat_id);
alter table public.artifact_versions
    add constraint artifact_versions_in_artifacts_chat foreign key (artifact_id, chat_id)
        references public.artifacts (id, chat_id) on delete cascade,
    add constraint artifact_versions_number_in_range check (version_number between 1 and 1000000),
    -- An author is a person ("you") or a specialist's name: short, one line.
    add constraint artifact_versions_created_by_shape
        check (char_length(created_by) between 1 and 80 and created_by !~ '[[:cntrl:]]') not valid;
alter table public.artifact_aliases
    add constraint artifact_aliases_in_artifacts_chat foreign key (artifact_id, chat_id)
        references public.artifacts (id, chat_id) on delete cascade;
alter table public.messages add constraint messages_seq_in_range check (seq between 1 and 1000000);
-- Foreign keys want an index on their columns (deletes of an artifact, Supabase's linter).
create index artifact_aliases_by_artifact on public.artifact_aliases (artifact_id, chat_id);
create index artifact_versions_by_artifact_chat on public.artifact_versions (artifact_id, chat_id);

-- ------------------------------------------------------------------ 2. inserts
create function public.ohm_require_member(p_chat_id uuid, p_what text) returns void
language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
    -- The same refusal for "no such parent" and "not yours": ids are not to be probed.
    if p_chat_id is null or not public.is_chat_member(p_chat_id) then
        raise exception 'you can only add % to a chat you are a member of', p_what using errcode = '42501';
    end if;
end;
$$;

create or replace function public.ohm_before_message_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    perform public.ohm_require_member(new.chat_id, 'messages');
    if exists (select 1 from public.messages m where m.id = new.id) then
        return new;  -- a re-push: ON CONFLICT (id) DO NOTHING drops it
    end if;
    perform pg_advisory_xact_lock(hashtextextended('ohm.messages:' || new.chat_id::text, 0));
    -- The server numbers every message: the next free number, whatever the client proposed
    -- (its own number is provisional; the pushed row comes back with this one).
    select coalesce(max(m.seq), 0) + 1 into new.seq from public.messages m where m.chat_id = new.chat_id;
    return new;
end;
$$;

create or replace function public.ohm_before_artifact_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_kept uuid;
begin
    perform public.ohm_require_member(new.chat_id, 'artifacts');
    if exists (select 1 from public.artifacts a where a.id = new.id) then
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

create or replace function public.ohm_before_version_insert() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_kept uuid;
    v_chat uuid;
begin
    select l.artifact_id into v_kept from public.artifact_aliases l where l.alias_id = new.artifact_id;
    if v_kept is not null then
        new.artifact_id := v_kept;
    end if;
    select a.chat_id into v_chat from public.artifacts a where a.id = new.artifact_id;
    perform public.ohm_require_member(v_chat, 'versions');
    new.chat_id := v_chat;  -- never the client's: a version belongs to its artifact's chat
    if exists (select 1 from public.artifact_versions v where v.id = new.id) then
        return new;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('ohm.versions:' || new.artifact_id::text, 0));
    select coalesce(max(v.version_number), 0) + 1 into new.version_number
    from public.artifact_versions v where v.artifact_id = new.artifact_id;
    return new;
end;
$$;

-- The policies again, now against the parent's chat (the triggers already forced it).
drop policy artifact_versions_insert on public.artifact_versions;
create policy artifact_versions_insert on public.artifact_versions for insert to authenticated
    with check (
        owner = (select auth.uid())
        and exists (
            select 1 from public.artifacts a
            where a.id = artifact_id and a.chat_id = artifact_versions.chat_id and public.is_chat_member(a.chat_id)
        )
    );

-- A chat's owner changes its title and trash state; its id, owner and sequence stay.
revoke update on public.chats from authenticated;
grant update (title, created_at, updated_at, deleted_at) on public.chats to authenticated;

-- ------------------------------------------------------------------ 3. invitations
drop policy chat_members_insert on public.chat_members;
revoke insert on public.chat_members from authenticated;

create table public.chat_invitations (
    id             uuid primary key default gen_random_uuid(),
    chat_id        uuid not null references public.chats (id) on delete cascade,
    invitee_email  text not null check (invitee_email = lower(invitee_email) and char_length(invitee_email) <= 320),
    invited_by     uuid not null references auth.users (id) on delete cascade,
    inviter_email  text not null,
    -- What the invitee sees before saying yes (they cannot read the chat yet).
    chat_title     text not null,
    created_at     timestamptz not null default now(),
    server_seq     bigint not null default nextval('public.ohm_sync_seq'),
    unique (chat_id, invitee_email)
);
create index chat_invitations_by_invitee on public.chat_invitations (invitee_email);
create index chat_invitations_by_inviter on public.chat_invitations (invited_by);

-- The caller's email, only once confirmed: an unconfirmed sign-up with someone else's address
-- must not pick up their invitations.
create function public.ohm_caller_email() returns text
language sql stable security definer set search_path = public, pg_temp as $$
    select lower(u.email::text) from auth.users u where u.id = auth.uid() and u.email_confirmed_at is not null
$$;

alter table public.chat_invitations enable row level security;
create policy chat_invitations_select on public.chat_invitations for select to authenticated
    using (invitee_email = (select public.ohm_caller_email()) or invited_by = (select auth.uid()));

drop function public.share_chat(uuid, text);
-- Invite someone by email to one of your chats. Nothing is returned and the answer is the same
-- whether an account has that email or not (nor whether it is already a member).
create function public.share_chat(p_chat_id uuid, p_email text) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_email text := lower(btrim(coalesce(p_email, '')));
    v_title text;
begin
    select c.title into v_title from public.chats c where c.id = p_chat_id and c.owner = auth.uid();
    if not found then
        raise exception 'only the owner of a chat can share it' using errcode = '42501';
    end if;
    if v_email !~ '^[^@[:space:]]+@[^@[:space:]]+$' or char_length(v_email) > 320 then
        raise exception 'that is not an email address' using errcode = '22023';
    end if;
    if (select count(*) from public.chat_invitations i where i.invited_by = auth.uid()) >= 200 then
        raise exception 'you have 200 invitations nobody answered yet' using errcode = '54000';
    end if;
    if exists (
        select 1 from public.chat_members m join auth.users u on u.id = m.user_id
        where m.chat_id = p_chat_id and lower(u.email::text) = v_email
    ) then
        return;  -- already has access
    end if;
    insert into public.chat_invitations (chat_id, invitee_email, invited_by, inviter_email, chat_title)
    values (
        p_chat_id, v_email, auth.uid(),
        coalesce((select u.email::text from auth.users u where u.id = auth.uid()), ''),
        left(v_title, 200)
    )
    on conflict (chat_id, invitee_email) do nothing;
end;
$$;

-- Say yes: the caller becomes a member of the chat; returns its id.
create function public.accept_invitation(p_invitation_id uuid) returns uuid
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_invitation public.chat_invitations;
begin
    delete from public.chat_invitations i
    where i.id = p_invitation_id and i.invitee_email = public.ohm_caller_email()
    returning * into v_invitation;
    if v_invitation.id is null then
        raise exception 'there is no such invitation for your account' using errcode = 'P0002';
    end if;
    insert into public.chat_members (chat_id, user_id, role, added_by)
    values (v_invitation.chat_id, auth.uid(), 'member', v_invitation.invited_by)
    on conflict (chat_id, user_id) do nothing;
    return v_invitation.chat_id;
end;
$$;

-- Say no (the invitee), or take an invitation back (whoever sent it).
create function public.decline_invitation(p_invitation_id uuid) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    delete from public.chat_invitations i
    where i.id = p_invitation_id
      and (i.invitee_email = public.ohm_caller_email() or i.invited_by = auth.uid());
    if not found then
        raise exception 'there is no such invitation for your account' using errcode = 'P0002';
    end if;
end;
$$;

-- ------------------------------------------------------------------ 4. who hears of what
-- One row per membership that starts or ends, readable only by the account it is about: a
-- removed teammate's workstation hears of the removal live, and nobody else does.
create table public.membership_changes (
    id          uuid primary key default gen_random_uuid(),
    user_id     uuid not null references auth.users (id) on delete cascade,
    chat_id     uuid not null,  -- no foreign key: the change outlives a deleted chat
    change      text not null check (change in ('added', 'removed')),
    created_at  timestamptz not null default now(),
    server_seq  bigint not null default nextval('public.ohm_sync_seq')
);
create index membership_changes_by_user on public.membership_changes (user_id, server_seq);
alter table public.membership_changes enable row level security;
create policy membership_changes_select on public.membership_changes for select to authenticated
    using (user_id = (select auth.uid()));

create function public.ohm_after_membership_change() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    if tg_op = 'INSERT' then
        insert into public.membership_changes (user_id, chat_id, change) values (new.user_id, new.chat_id, 'added');
    else
        insert into public.membership_changes (user_id, chat_id, change) values (old.user_id, old.chat_id, 'removed');
    end if;
    return null;
end;
$$;

create trigger chat_members_tell_the_member after insert or delete on public.chat_members
    for each row execute function public.ohm_after_membership_change();

alter publication supabase_realtime drop table public.chat_members;
alter publication supabase_realtime add table public.membership_changes, public.chat_invitations;

-- ------------------------------------------------------------------ grants
revoke all on public.ohm_quarantine, public.chat_invitations, public.membership_changes from anon, authenticated;
grant select on public.chat_invitations, public.membership_changes to authenticated;
revoke all on function public.share_chat(uuid, text) from public, anon;
grant execute on function public.share_chat(uuid, text) to authenticated;
revoke all on function public.accept_invitation(uuid) from public, anon;
grant execute on function public.accept_invitation(uuid) to authenticated;
revoke all on function public.decline_invitation(uuid) from public, anon;
grant execute on function public.decline_invitation(uuid) to authenticated;
revoke all on function public.ohm_caller_email() from public, anon;
grant execute on function public.ohm_caller_email() to authenticated;
-- Called only from the SECURITY DEFINER triggers: not an endpoint of its own.
revoke all on function public.ohm_require_member(uuid, text) from public, anon, authenticated;
revoke all on function public.is_chat_member(uuid) from public, anon;
grant execute on function public.is_chat_member(uuid) to authenticated;

-- Ohm Desktop: what Supabase's database linter (splinter, also `supabase db lint` and the
-- dashboard's Advisors) found in the earlier migrations.
--
-- 1. anon could execute SECURITY DEFINER functions (lint 0028): is_chat_member() through
--    /rest/v1/rpc, and the trigger functions. Nobody signed out has any business calling them.
--    Trigger functions need no EXECUTE grant to fire (PostgreSQL checks it at CREATE TRIGGER),
--    so they lose it for every API role; is_chat_member() stays callable by `authenticated`,
--    whose RLS policies call it.
-- 2. Six foreign keys had no index (lint 0001): deleting a user or a chat scanned whole tables.
--
-- Functions created from now on (by this role, in public) are not executable by PUBLIC or anon
-- unless a migration grants it: Supabase's default privileges grant EXECUTE to anon otherwise.
--
-- Findings left on purpose (tests/integration/sync/test_supabase_lint.py reads these lines;
-- every later migration may add its own):
-- splinter: allow authenticated_security_definer_function_executable_public_is_chat_member_p_chat_id uuid -- RLS policies call it as the signed-in user; it answers only about the caller
-- splinter: allow authenticated_security_definer_function_executable_public_share_chat_p_chat_id uuid, p_email text -- the app's sharing API; checks ownership itself
-- splinter: allow authenticated_security_definer_function_executable_public_chat_people_p_chat_id uuid -- members only (checked inside); reads auth.users emails, which RLS cannot grant
-- splinter: allow authenticated_security_definer_function_executable_public_remove_chat_member_p_chat_id uuid, p_user_id uuid -- owner or self only (checked inside)
-- From 20261202000000_ohm_security.sql (invitations), where present: the invitee's own API,
-- and a table no API role may read at all (RLS on, no policy, no grant).
-- splinter: allow authenticated_security_definer_function_executable_public_accept_invitation_p_invitation_id uuid -- the invitee accepts; checked inside
-- splinter: allow authenticated_security_definer_function_executable_public_decline_invitation_p_invitation_id uuid -- the invitee declines; checked inside
-- splinter: allow authenticated_security_definer_function_executable_public_ohm_caller_email_ -- returns the caller's own email only
-- splinter: allow rls_enabled_no_policy_public_ohm_quarantine -- server-side only: no API role has any grant on it
-- splinter: allow-lint unused_index -- counts index scans since the statistics were reset; a freshly migrated database has used none

grant execute on function public.is_chat_member(uuid) to authenticated;

-- Every trigger function, and every SECURITY DEFINER function, of public as it stands now
-- (whichever earlier migrations made them).
do $$
declare
    f record;
begin
    for f in
        select p.oid::regprocedure as signature, p.prorettype = 'trigger'::regtype as is_trigger
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and (p.prosecdef or p.prorettype = 'trigger'::regtype)
    loop
        if f.is_trigger then
            execute format('revoke execute on function %s from public, anon, authenticated', f.signature);
        else
            execute format('revoke execute on function %s from public, anon', f.signature);
        end if;
    end loop;
end $$;

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon;

create index if not exists chats_by_owner on public.chats (owner);
create index if not exists messages_by_owner on public.messages (owner);
create index if not exists artifacts_by_owner on public.artifacts (owner);
create index if not exists artifact_versions_by_owner on public.artifact_versions (owner);
create index if not exists artifact_aliases_by_artifact on public.artifact_aliases (artifact_id);
create index if not exists artifact_aliases_by_chat on public.artifact_aliases (chat_id);

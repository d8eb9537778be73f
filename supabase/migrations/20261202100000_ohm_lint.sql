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
-- splinter: allow-lint unused_index -- counts index scans since the statistics were reset; a freshly migrated database has used none

revoke execute on function public.is_chat_member(uuid) from public, anon;
grant execute on function public.is_chat_member(uuid) to authenticated;

revoke execute on function public.ohm_after_chat_insert() from public, anon, authenticated;
revoke execute on function public.ohm_before_chat_update() from public, anon, authenticated;
revoke execute on function public.ohm_before_message_insert() from public, anon, authenticated;
revoke execute on function public.ohm_before_artifact_insert() from public, anon, authenticated;
revoke execute on function public.ohm_before_version_insert() from public, anon, authenticated;

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon;

create index if not exists chats_by_owner on public.chats (owner);
create index if not exists messages_by_owner on public.messages (owner);
create index if not exists artifacts_by_owner on public.artifacts (owner);
create index if not exists artifact_versions_by_owner on public.artifact_versions (owner);
create index if not exists artifact_aliases_by_artifact on public.artifact_aliases (artifact_id);
create index if not exists artifact_aliases_by_chat on public.artifact_aliases (chat_id);

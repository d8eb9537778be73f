-- Ohm Desktop: who has access to a chat, and taking someone off it.
--
-- chat_people() lists a chat's members with their account emails (auth.users is not readable by
-- the `authenticated` role, hence SECURITY DEFINER, and only for a member of that chat).
-- remove_chat_member() lets a chat's owner remove a teammate, and a teammate leave. Nobody can
-- remove a chat's owner: the owner's membership row is what lets them read their own messages.

create function public.chat_people(p_chat_id uuid)
returns table (user_id uuid, email text, role text, added_at timestamptz)
language plpgsql stable security definer set search_path = public, pg_temp as $$
begin
    if not public.is_chat_member(p_chat_id) then
        raise exception 'you are not a member of this chat' using errcode = '42501';
    end if;
    return query
        select m.user_id, u.email::text, m.role, m.created_at
        from public.chat_members m join auth.users u on u.id = m.user_id
        where m.chat_id = p_chat_id
        order by m.role = 'owner' desc, m.created_at, u.email;
end;
$$;

create function public.remove_chat_member(p_chat_id uuid, p_user_id uuid) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_owner uuid;
begin
    -- The same answer for "no such chat" and "not yours": chat ids are not to be probed.
    if not public.is_chat_member(p_chat_id) then
        raise exception 'you are not a member of this chat' using errcode = '42501';
    end if;
    select c.owner into v_owner from public.chats c where c.id = p_chat_id;
    if p_user_id = v_owner then
        raise exception 'the owner of a chat cannot be removed from it' using errcode = '42501';
    end if;
    if auth.uid() is distinct from v_owner and auth.uid() is distinct from p_user_id then
        raise exception 'only the owner of a chat can remove someone else from it' using errcode = '42501';
    end if;
    delete from public.chat_members m where m.chat_id = p_chat_id and m.user_id = p_user_id;
end;
$$;

-- The first migration let anyone delete their own membership row, the owner's included, which
-- would have cut an owner off their own chat's messages.
drop policy chat_members_delete on public.chat_members;
create policy chat_members_delete on public.chat_members for delete to authenticated
    using (
        role <> 'owner'
        and (
            user_id = (select auth.uid())
            or exists (select 1 from public.chats c where c.id = chat_id and c.owner = (select auth.uid()))
        )
    );

-- Realtime sends a DELETE with the row's primary key only; (chat_id, user_id) is enough for a
-- removed member's workstation to notice. Replica identity stays the default (the key).

revoke all on function public.chat_people(uuid) from public, anon;
grant execute on function public.chat_people(uuid) to authenticated;
revoke all on function public.remove_chat_member(uuid, uuid) from public, anon;
grant execute on function public.remove_chat_member(uuid, uuid) to authenticated;

"""PostgREST subset under ``/rest/v1``: what postgrest-py sends, answered the way PostgREST does.

GET with ``select``, horizontal filters (``eq neq gt gte lt lte like ilike is in`` and ``not.``),
``order``, ``limit``, ``offset``; POST insert/upsert with ``columns``, ``on_conflict`` and
``Prefer: return=…, resolution=ignore-duplicates|merge-duplicates``;
PATCH and DELETE with filters; ``POST /rpc/<function>``. Errors are PostgREST's JSON body
``{code, message, details, hint}`` with its status mapping (e.g. 42501 → 401/403, 23505 → 409).
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import psycopg
from aiohttp import web
from psycopg import sql

from tests.support.supabase_standin.auth import Tokens
from tests.support.supabase_standin.database import Database, Table

_OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "like": "like", "ilike": "ilike"}
_RESERVED = {"select", "order", "limit", "offset", "columns", "on_conflict"}
JWT_LEEWAY_S = 30


class RestError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "details": details, "hint": hint, "message": message}


def error_response(error: RestError) -> web.Response:
    return web.json_response(error.body, status=error.status)


def _status_for_sqlstate(state: str, role: str) -> int:
    if state == "42501":
        return 401 if role == "anon" else 403
    if state in ("23503", "23505", "40001"):
        return 409
    if state in ("42P01", "42883", "P0002"):
        return 404
    if state == "25006":
        return 405
    if state.startswith(("08", "53", "57")):
        return 503
    if state.startswith(("22", "23", "42", "P0")):
        return 400
    return 500


def _postgres_error(exc: psycopg.Error, role: str) -> RestError:
    diag = exc.diag
    state = exc.sqlstate or "XX000"
    return RestError(
        _status_for_sqlstate(state, role),
        state,
        diag.message_primary or str(exc),
        diag.message_detail,
        diag.message_hint,
    )


def _split_list(text: str) -> list[str]:
    """``a,"b,c",d`` → ['a', 'b,c', 'd'] (PostgREST's in.() list syntax)."""
    values: list[str] = []
    current = ""
    quoted = False
    escaped = False
    for char in text:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            values.append(current)
            current = ""
        else:
            current += char
    values.append(current)
    return values


class RestEndpoints:
    """``/rest/v1/*`` handlers."""

    def __init__(self, db: Database, tokens: Tokens, *, statement_timeout_ms: int | None = None) -> None:
        self.db = db
        self.tokens = tokens
        #: Hosted projects: ``alter role authenticated set statement_timeout = '8s'`` (anon 3 s);
        #: PostgREST runs every request as that role, so a slow statement fails with 57014.
        self.statement_timeout_ms = statement_timeout_ms

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/rest/v1/rpc/{function}", self.rpc),
            web.get("/rest/v1/{table}", self.select),
            web.post("/rest/v1/{table}", self.insert),
            web.patch("/rest/v1/{table}", self.update),
            web.delete("/rest/v1/{table}", self.delete),
        ]

    # --------------------------------------------------------------- common
    def claims(self, request: web.Request) -> dict[str, Any]:
        """The request's JWT claims: the Authorization bearer, else the apikey (as Kong does)."""
        apikey = request.headers.get("apikey") or request.query.get("apikey")
        if not apikey:
            raise RestError(401, "PGRST000", "No API key found in request", hint="No `apikey` request header or url param was found.")
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else apikey
        try:
            # PostgREST src/PostgREST/Auth.hs parseToken: allowedSkewSeconds = 30 on exp, nbf, iat.
            return self.tokens.decode(token, leeway=JWT_LEEWAY_S)
        except jwt.ExpiredSignatureError as exc:
            raise RestError(401, "PGRST303", "JWT expired") from exc
        except jwt.InvalidTokenError as exc:
            raise RestError(401, "PGRST301", "JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 1)") from exc

    def table(self, request: web.Request) -> Table:
        name = request.match_info["table"]
        table = self.db.tables.get(name)
        if table is None:
            raise RestError(
                404, "PGRST205", f"Could not find the table 'public.{name}' in the schema cache"
            )
        return table

    @staticmethod
    def prefer(request: web.Request) -> dict[str, str]:
        found: dict[str, str] = {}
        for header in request.headers.getall("Prefer", []):
            for item in header.split(","):
                key, _, value = item.strip().partition("=")
                if key:
                    found[key] = value
        return found

    def _column(self, table: Table, name: str) -> Any:
        column = table.by_name.get(name)
        if column is None:
            raise RestError(
                400, "42703", f"column {table.name}.{name} does not exist"
            )
        return column

    def _select_list(self, table: Table, request: web.Request) -> sql.Composable:
        raw = request.query.get("select", "*")
        names = [part.strip().strip('"') for part in raw.split(",") if part.strip()]
        if not names or names == ["*"]:
            return sql.SQL("*")
        return sql.SQL(", ").join(sql.Identifier(self._column(table, name).name) for name in names)

    def _filters(self, table: Table, request: web.Request) -> tuple[sql.Composable, list[Any]]:
        clauses: list[sql.Composable] = []
        params: list[Any] = []
        for key, raw in request.query.items():
            if key in _RESERVED or key == "apikey":
                continue
            column = self._column(table, key)
            negate = raw.startswith("not.")
            if negate:
                raw = raw[4:]
            op, _, value = raw.partition(".")
            ident = sql.Identifier(table.schema, table.name, column.name)
            if op in _OPERATORS:
                cast = sql.SQL(column.type_sql) if op not in ("like", "ilike") else sql.SQL("text")
                lhs = ident if op not in ("like", "ilike") else sql.SQL("{}::text").format(ident)
                clause: sql.Composable = sql.SQL("{} {} %s::{}").format(lhs, sql.SQL(_OPERATORS[op]), cast)
                params.append(value.replace("*", "%") if op in ("like", "ilike") else value)
            elif op == "in":
                if not (value.startswith("(") and value.endswith(")")):
                    raise RestError(400, "PGRST100", f'"failed to parse filter ({raw})" (line 1, column 4)')
                items = _split_list(value[1:-1]) if value[1:-1] else []
                clause = sql.SQL("{} = any(%s::{}[])").format(ident, sql.SQL(column.type_sql))
                params.append(items)
            elif op == "is":
                literal = {"null": "null", "true": "true", "false": "false", "unknown": "unknown"}.get(value.lower())
                if literal is None:
                    raise RestError(400, "PGRST100", f'"failed to parse filter ({raw})" (line 1, column 4)')
                clause = sql.SQL("{} is {}").format(ident, sql.SQL(literal))
            else:
                raise RestError(400, "PGRST100", f'"failed to parse filter ({raw})" (line 1, column 1)')
            clauses.append(sql.SQL("not ({})").format(clause) if negate else clause)
        if not clauses:
            return sql.SQL(""), params
        return sql.SQL(" where ") + sql.SQL(" and ").join(clauses), params

    def _order(self, table: Table, request: web.Request) -> sql.Composable:
        raw = request.query.get("order")
        if not raw:
            return sql.SQL("")
        terms: list[sql.Composable] = []
        for term in raw.split(","):
            parts = term.split(".")
            column = self._column(table, parts[0])
            direction = "desc" if "desc" in parts[1:] else "asc"
            nulls = " nulls first" if "nullsfirst" in parts[1:] else " nulls last" if "nullslast" in parts[1:] else ""
            terms.append(sql.SQL("{} {}{}").format(sql.Identifier(column.name), sql.SQL(direction), sql.SQL(nulls)))
        return sql.SQL(" order by ") + sql.SQL(", ").join(terms)

    @staticmethod
    def _int_param(request: web.Request, name: str) -> int | None:
        raw = request.query.get(name)
        if raw is None:
            return None
        try:
            return max(0, int(raw))
        except ValueError as exc:
            raise RestError(400, "PGRST100", f'"failed to parse {name} parameter ({raw})"') from exc

    @staticmethod
    def _wants_object(request: web.Request) -> bool:
        return request.headers.get("Accept", "").startswith("application/vnd.pgrst.object+json")

    def _respond_rows(self, request: web.Request, rows_json: str, count: int, status: int) -> web.Response:
        if self._wants_object(request):
            rows = json.loads(rows_json)
            if len(rows) != 1:
                raise RestError(
                    406, "PGRST116", "JSON object requested, multiple (or no) rows returned",
                    details=f"The result contains {len(rows)} rows",
                )
            return web.json_response(rows[0], status=status)
        headers = {"Content-Range": f"0-{count - 1}/*" if count else "*/*"}
        return web.Response(text=rows_json, status=status, content_type="application/json", headers=headers)

    async def _run(self, request: web.Request, query: sql.Composable, params: list[Any]) -> tuple[str, int]:
        claims = self.claims(request)
        try:
            async with self.db.as_role(claims, statement_timeout_ms=self.statement_timeout_ms) as cur:
                await cur.execute(query, params)
                row = await cur.fetchone()
        except psycopg.Error as exc:
            raise _postgres_error(exc, claims.get("role", "anon")) from exc
        assert row is not None
        return row[0], row[1]

    # ------------------------------------------------------------- handlers
    async def select(self, request: web.Request) -> web.Response:
        try:
            table = self.table(request)
            where, params = self._filters(table, request)
            inner = sql.SQL("select {} from {}{}{}").format(
                self._select_list(table, request), table.qualified, where, self._order(table, request)
            )
            limit = self._int_param(request, "limit")
            offset = self._int_param(request, "offset")
            if limit is not None:
                inner = inner + sql.SQL(" limit {}").format(sql.Literal(limit))
            if offset is not None:
                inner = inner + sql.SQL(" offset {}").format(sql.Literal(offset))
            query = sql.SQL("select coalesce(json_agg(pgrst_rows), '[]')::text, count(*) from ({}) pgrst_rows").format(inner)
            rows_json, count = await self._run(request, query, params)
            return self._respond_rows(request, rows_json, count, 200)
        except RestError as error:
            return error_response(error)

    async def _body_rows(self, request: web.Request) -> list[dict[str, Any]]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise RestError(400, "PGRST102", "Empty or invalid json") from exc
        rows = body if isinstance(body, list) else [body]
        if not all(isinstance(row, dict) for row in rows):
            raise RestError(400, "PGRST102", "All object keys must match")
        return rows

    def _payload_columns(self, table: Table, request: web.Request, rows: list[dict[str, Any]]) -> list[str]:
        raw = request.query.get("columns")
        names = [n.strip().strip('"') for n in raw.split(",")] if raw else sorted({k for row in rows for k in row})
        return [self._column(table, name).name for name in names]

    async def insert(self, request: web.Request) -> web.Response:
        try:
            table = self.table(request)
            rows = await self._body_rows(request)
            prefer = self.prefer(request)
            columns = self._payload_columns(table, request, rows)
            idents = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            # Keys a row lacks are null (PostgREST without `missing=default`); columns not listed
            # at all take their defaults, which is how `owner default auth.uid()` gets filled.
            source = sql.SQL("select {} from json_populate_recordset(null::{}, %s::json)").format(idents, table.qualified)
            query = sql.SQL("insert into {} ({}) {}").format(table.qualified, idents, source)
            resolution = prefer.get("resolution")
            if resolution in ("ignore-duplicates", "merge-duplicates"):
                target_raw = request.query.get("on_conflict")
                target = [self._column(table, c.strip()).name for c in target_raw.split(",")] if target_raw else table.primary_key
                target_sql = sql.SQL(", ").join(sql.Identifier(c) for c in target)
                if resolution == "ignore-duplicates":
                    query += sql.SQL(" on conflict ({}) do nothing").format(target_sql)
                else:
                    updates = [c for c in columns if c not in target]
                    if updates:
                        query += sql.SQL(" on conflict ({}) do update set {}").format(
                            target_sql,
                            sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in updates),
                        )
                    else:
                        query += sql.SQL(" on conflict ({}) do nothing").format(target_sql)
            returning = prefer.get("return", "minimal")
            query = sql.SQL(
                "with pgrst_source as ({} returning {}.*) "
                "select coalesce(json_agg(pgrst_source), '[]')::text, count(*) from pgrst_source"
            ).format(query, table.qualified)
            rows_json, count = await self._run(request, query, [json.dumps(rows)])
            if returning != "representation":
                return web.Response(status=201)
            return self._respond_rows(request, rows_json, count, 201)
        except RestError as error:
            return error_response(error)

    async def update(self, request: web.Request) -> web.Response:
        try:
            table = self.table(request)
            rows = await self._body_rows(request)
            if len(rows) != 1:
                raise RestError(400, "PGRST102", "Only one object can be used for an update")
            columns = [self._column(table, name).name for name in rows[0]]
            where, params = self._filters(table, request)
            assignments = sql.SQL(", ").join(
                sql.SQL("{0} = pgrst_body.{0}").format(sql.Identifier(c)) for c in columns
            )
            query = sql.SQL(
                "with pgrst_source as (update {} set {} from (select * from json_populate_record(null::{}, %s::json)) "
                "pgrst_body{} returning {}.*) select coalesce(json_agg(pgrst_source), '[]')::text, count(*) from pgrst_source"
            ).format(table.qualified, assignments, table.qualified, where, table.qualified)
            rows_json, count = await self._run(request, query, [json.dumps(rows[0]), *params])
            if self.prefer(request).get("return") != "representation":
                return web.Response(status=204)
            return self._respond_rows(request, rows_json, count, 200)
        except RestError as error:
            return error_response(error)

    async def delete(self, request: web.Request) -> web.Response:
        try:
            table = self.table(request)
            where, params = self._filters(table, request)
            query = sql.SQL(
                "with pgrst_source as (delete from {}{} returning {}.*) "
                "select coalesce(json_agg(pgrst_source), '[]')::text, count(*) from pgrst_source"
            ).format(table.qualified, where, table.qualified)
            rows_json, count = await self._run(request, query, params)
            if self.prefer(request).get("return") != "representation":
                return web.Response(status=204)
            return self._respond_rows(request, rows_json, count, 200)
        except RestError as error:
            return error_response(error)

    async def rpc(self, request: web.Request) -> web.Response:
        try:
            name = request.match_info["function"]
            function = self.db.functions.get(name)
            if function is None:
                raise RestError(
                    404, "PGRST202", f"Could not find the function public.{name} in the schema cache"
                )
            body = await request.json() if request.can_read_body else {}
            args: list[sql.Composable] = []
            params: list[Any] = []
            for arg_name, arg_type in zip(function.arg_names, function.arg_types, strict=False):
                if arg_name in body:
                    args.append(sql.SQL("{} => %s::{}").format(sql.Identifier(arg_name), sql.SQL(arg_type)))
                    value = body[arg_name]
                    params.append(json.dumps(value) if isinstance(value, (dict, list)) else value)
            call = sql.SQL("public.{}({})").format(sql.Identifier(name), sql.SQL(", ").join(args))
            if function.returns_void:
                await self._run(request, sql.SQL("select ''::text, 1 from {}").format(call), params)
                return web.Response(status=204)
            if function.returns_set:
                query = sql.SQL("select coalesce(jsonb_agg(to_jsonb(r)), '[]'::jsonb)::text, 1 from {} r").format(call)
            else:
                query = sql.SQL("select to_jsonb({})::text, 1").format(call)
            result, _ = await self._run(request, query, params)
            return web.Response(text=result, content_type="application/json")
        except RestError as error:
            return error_response(error)

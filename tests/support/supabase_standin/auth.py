"""GoTrue subset: signup, password and refresh-token grants, /user, /logout; HS256 JWTs.

Response bodies follow GoTrue (API version 2024-01-01): a session is ``access_token``,
``token_type``, ``expires_in``, ``expires_at``, ``refresh_token`` and ``user``; errors are
``{"code": <error_code>, "message": ...}`` with the ``X-Supabase-Api-Version`` header, which
is what supabase_auth parses into AuthApiError codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from typing import Any

import jwt
from aiohttp import web

from tests.support.supabase_standin.database import Database

API_VERSION = "2024-01-01"
REFRESH_REUSE_INTERVAL_S = 10  # GoTrue lets a just-rotated refresh token be used again this long


class Tokens:
    """Signs and checks the JWTs: the anon/service API keys and users' access tokens."""

    def __init__(self, secret: str, *, issuer: str, access_ttl_s: int) -> None:
        self.secret = secret
        self.issuer = issuer
        self.access_ttl_s = access_ttl_s
        now = int(time.time())
        far = now + 10 * 365 * 24 * 3600
        self.anon_key = jwt.encode({"iss": "supabase-demo", "role": "anon", "iat": now, "exp": far}, secret, "HS256")
        self.service_key = jwt.encode(
            {"iss": "supabase-demo", "role": "service_role", "iat": now, "exp": far}, secret, "HS256"
        )

    def decode(self, token: str) -> dict[str, Any]:
        """Claims of a valid token; raises jwt.ExpiredSignatureError / jwt.InvalidTokenError."""
        claims: dict[str, Any] = jwt.decode(
            token, self.secret, algorithms=["HS256"], options={"verify_aud": False}, leeway=0
        )
        return claims

    def access_token(self, user: dict[str, Any], session_id: str) -> tuple[str, int]:
        now = int(time.time())
        expires_at = now + self.access_ttl_s
        claims = {
            "aud": "authenticated",
            "exp": expires_at,
            "iat": now,
            "iss": self.issuer,
            "sub": str(user["id"]),
            "email": user["email"],
            "phone": "",
            "app_metadata": user["raw_app_meta_data"],
            "user_metadata": user["raw_user_meta_data"],
            "role": "authenticated",
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": session_id,
            "is_anonymous": False,
        }
        return jwt.encode(claims, self.secret, "HS256"), expires_at


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000)
    return "pbkdf2$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    _, salt_b64, digest_b64 = stored.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt_b64), 10_000)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def auth_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"code": code, "error_code": code, "message": message, "msg": message},
        status=status,
        headers={"X-Supabase-Api-Version": API_VERSION},
    )


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def user_json(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(user["id"]),
        "aud": "authenticated",
        "role": "authenticated",
        "email": user["email"],
        "phone": "",
        "email_confirmed_at": _iso(user["email_confirmed_at"]),
        "confirmed_at": _iso(user["email_confirmed_at"]),
        "last_sign_in_at": _iso(user["last_sign_in_at"]),
        "app_metadata": user["raw_app_meta_data"],
        "user_metadata": user["raw_user_meta_data"],
        "identities": [],
        "created_at": _iso(user["created_at"]),
        "updated_at": _iso(user["updated_at"]),
        "is_anonymous": False,
    }


_USER_COLUMNS = (
    "id, email, encrypted_password, email_confirmed_at, last_sign_in_at, raw_app_meta_data, "
    "raw_user_meta_data, created_at, updated_at"
)


class AuthEndpoints:
    """``/auth/v1/*`` handlers."""

    def __init__(self, db: Database, tokens: Tokens) -> None:
        self.db = db
        self.tokens = tokens

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/auth/v1/signup", self.signup),
            web.post("/auth/v1/token", self.token),
            web.get("/auth/v1/user", self.get_user),
            web.post("/auth/v1/logout", self.logout),
            web.get("/auth/v1/health", self.health),
        ]

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"version": "standin", "name": "GoTrue", "description": "stand-in"})

    async def _fetch_user(self, where: str, value: Any) -> dict[str, Any] | None:
        async with self.db.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.execute(f"select {_USER_COLUMNS} from auth.users where {where} = %s", (value,))
            row = await cur.fetchone()
            if row is None:
                return None
            names = [d.name for d in cur.description or []]
            return dict(zip(names, row, strict=True))

    async def _session(self, user: dict[str, Any], *, parent: str | None = None) -> dict[str, Any]:
        refresh = secrets.token_urlsafe(24)
        async with self.db.connection() as conn, conn.transaction():
            await conn.execute(
                "insert into auth.refresh_tokens (token, user_id, parent) values (%s, %s, %s)",
                (refresh, user["id"], parent),
            )
            await conn.execute("update auth.users set last_sign_in_at = now() where id = %s", (user["id"],))
        access, expires_at = self.tokens.access_token(user, str(uuid.uuid4()))
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.tokens.access_ttl_s,
            "expires_at": expires_at,
            "refresh_token": refresh,
            "user": user_json(user),
        }

    async def signup(self, request: web.Request) -> web.Response:
        body = await request.json()
        email = str(body.get("email") or "").strip().lower()
        password = str(body.get("password") or "")
        if not email or "@" not in email:
            return auth_error(400, "validation_failed", "Unable to validate email address: invalid format")
        if len(password) < 6:
            return auth_error(422, "weak_password", "Password should be at least 6 characters.")
        if await self._fetch_user("email", email) is not None:
            return auth_error(422, "user_already_exists", "User already registered")
        async with self.db.connection() as conn, conn.transaction():
            await conn.execute(
                "insert into auth.users (email, encrypted_password, email_confirmed_at, raw_user_meta_data) "
                "values (%s, %s, now(), %s)",
                (email, hash_password(password), json.dumps(body.get("data") or {})),
            )
        user = await self._fetch_user("email", email)
        assert user is not None
        return web.json_response(await self._session(user), headers={"X-Supabase-Api-Version": API_VERSION})

    async def token(self, request: web.Request) -> web.Response:
        grant = request.query.get("grant_type")
        body = await request.json()
        if grant == "password":
            email = str(body.get("email") or "").strip().lower()
            user = await self._fetch_user("email", email)
            if user is None or not check_password(str(body.get("password") or ""), user["encrypted_password"]):
                return auth_error(400, "invalid_credentials", "Invalid login credentials")
            return web.json_response(await self._session(user), headers={"X-Supabase-Api-Version": API_VERSION})
        if grant == "refresh_token":
            return await self._refresh(str(body.get("refresh_token") or ""))
        return auth_error(400, "validation_failed", f"unsupported_grant_type: {grant}")

    async def _refresh(self, token: str) -> web.Response:
        async with self.db.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.execute(
                "update auth.refresh_tokens set revoked = true, revoked_at = coalesce(revoked_at, now()) "
                "where token = %s and (not revoked or revoked_at > now() - make_interval(secs => %s)) "
                "returning user_id",
                (token, REFRESH_REUSE_INTERVAL_S),
            )
            row = await cur.fetchone()
        if row is None:
            return auth_error(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
        user = await self._fetch_user("id", row[0])
        if user is None:
            return auth_error(400, "user_not_found", "User from sub claim in JWT does not exist")
        return web.json_response(
            await self._session(user, parent=token), headers={"X-Supabase-Api-Version": API_VERSION}
        )

    def _bearer_claims(self, request: web.Request) -> dict[str, Any] | None:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        try:
            return self.tokens.decode(header[7:].strip())
        except jwt.InvalidTokenError:
            return None

    async def get_user(self, request: web.Request) -> web.Response:
        claims = self._bearer_claims(request)
        if claims is None or claims.get("role") != "authenticated":
            return auth_error(401, "bad_jwt", "invalid JWT: unable to parse or verify signature")
        user = await self._fetch_user("id", claims["sub"])
        if user is None:
            return auth_error(403, "user_not_found", "User from sub claim in JWT does not exist")
        return web.json_response(user_json(user), headers={"X-Supabase-Api-Version": API_VERSION})

    async def logout(self, request: web.Request) -> web.Response:
        claims = self._bearer_claims(request)
        if claims is not None and claims.get("sub"):
            async with self.db.connection() as conn, conn.transaction():
                await conn.execute("update auth.refresh_tokens set revoked = true, revoked_at = now() - interval '1 hour' where user_id = %s", (claims["sub"],))
        return web.Response(status=204)

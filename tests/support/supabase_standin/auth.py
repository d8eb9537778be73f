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
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web

from tests.support.supabase_standin.database import Database

API_VERSION = "2024-01-01"


@dataclass(frozen=True)
class AuthOptions:
    """The project's Auth settings a hosted project may have (GoTrue's config names)."""

    #: ``GOTRUE_MAILER_AUTOCONFIRM=false``, hosted projects' default: sign-ups must confirm their email.
    confirm_email: bool = False
    #: ``GOTRUE_PASSWORD_MIN_LENGTH`` (hosted default 6) and ``..._REQUIRED_CHARACTERS``.
    min_password_length: int = 6
    required_characters: tuple[str, ...] = ()
    #: ``GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL``: a just-rotated refresh token still works this long.
    refresh_reuse_interval_s: int = 10


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
        # The new API keys (sb_publishable_…, sb_secret_…) are not JWTs: the API gateway swaps
        # them for the anon / service_role JWT before PostgREST, and Realtime's
        # assign_access_token/2 ("sb_" <> _) uses the tenant's token for them.
        digest = hashlib.sha256(secret.encode()).hexdigest()
        self.publishable_key = f"sb_publishable_{digest[:31]}"
        self.secret_key = f"sb_secret_{digest[31:62]}"

    def decode(self, token: str, *, leeway: float = 0) -> dict[str, Any]:
        """Claims of a valid token; raises jwt.ExpiredSignatureError / jwt.InvalidTokenError.

        A publishable / secret API key stands for the anon / service_role key.

        ``leeway``: seconds of clock difference forgiven on exp/nbf/iat (PostgREST: 30).
        """
        if token == self.publishable_key:
            token = self.anon_key
        elif token == self.secret_key:
            token = self.service_key
        claims: dict[str, Any] = jwt.decode(
            token, self.secret, algorithms=["HS256"], options={"verify_aud": False}, leeway=leeway
        )
        if leeway and isinstance(claims.get("iat"), int | float) and claims["iat"] > time.time() + leeway:
            raise jwt.ImmatureSignatureError("JWT issued at future")
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


def user_json(user: dict[str, Any], *, identities: bool = False) -> dict[str, Any]:
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
        # A real new user has its email identity; sanitizeUser's made-up one has none.
        "identities": [_email_identity(user)] if identities else [],
        "created_at": _iso(user["created_at"]),
        "updated_at": _iso(user["updated_at"]),
        "is_anonymous": False,
    }


def _email_identity(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(user["id"]), "identity_id": str(uuid.uuid5(uuid.NAMESPACE_URL, str(user["id"]))),
        "user_id": str(user["id"]), "identity_data": {"email": user["email"], "sub": str(user["id"])},
        "provider": "email", "created_at": _iso(user["created_at"]), "updated_at": _iso(user["updated_at"]),
    }


_USER_COLUMNS = (
    "id, email, encrypted_password, email_confirmed_at, last_sign_in_at, raw_app_meta_data, "
    "raw_user_meta_data, created_at, updated_at"
)


class AuthEndpoints:
    """``/auth/v1/*`` handlers."""

    def __init__(self, db: Database, tokens: Tokens, options: AuthOptions | None = None) -> None:
        self.db = db
        self.tokens = tokens
        self.options = options or AuthOptions()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/auth/v1/signup", self.signup),
            web.post("/auth/v1/token", self.token),
            web.get("/auth/v1/user", self.get_user),
            web.post("/auth/v1/logout", self.logout),
            web.get("/auth/v1/health", self.health),
            web.post("/standin/v1/confirm-email", self.confirm),
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
        weak = self._weak_password(password)
        if weak is not None:
            return weak
        confirm = self.options.confirm_email
        existing = await self._fetch_user("email", email)
        if existing is not None:
            # internal/api/signup.go: with autoconfirm a clear 422; without it, a made-up user
            # (sanitizeUser: new id, no identities) so sign-ups cannot probe which emails exist.
            if not confirm:
                return auth_error(422, "user_already_exists", "User already registered")
            now = existing["created_at"].now(existing["created_at"].tzinfo)
            fake = {**existing, "id": uuid.uuid4(), "email_confirmed_at": None, "last_sign_in_at": None,
                    "created_at": now, "updated_at": now, "raw_user_meta_data": body.get("data") or {}}
            return web.json_response(user_json(fake), headers={"X-Supabase-Api-Version": API_VERSION})
        async with self.db.connection() as conn, conn.transaction():
            await conn.execute(
                "insert into auth.users (email, encrypted_password, email_confirmed_at, raw_user_meta_data) "
                f"values (%s, %s, {'null' if confirm else 'now()'}, %s)",
                (email, hash_password(password), json.dumps(body.get("data") or {})),
            )
        user = await self._fetch_user("email", email)
        assert user is not None
        if confirm:  # signup.go: an unconfirmed user comes back without a session
            return web.json_response(user_json(user, identities=True), headers={"X-Supabase-Api-Version": API_VERSION})
        return web.json_response(await self._session(user), headers={"X-Supabase-Api-Version": API_VERSION})

    def _weak_password(self, password: str) -> web.Response | None:
        """internal/api/password.go checkPasswordStrength: 422 weak_password with ``reasons``."""
        reasons: list[str] = []
        messages: list[str] = []
        if len(password) < self.options.min_password_length:
            reasons.append("length")
            messages.append(f"Password should be at least {self.options.min_password_length} characters.")
        for characters in self.options.required_characters:
            if characters and not any(c in password for c in characters):
                reasons.append("characters")
                messages.append(
                    f"Password should contain at least one character of each: {', '.join(self.options.required_characters)}."
                )
                break
        if not reasons:
            return None
        message = " ".join(messages)
        return web.json_response(
            {"code": "weak_password", "error_code": "weak_password", "message": message, "msg": message,
             "weak_password": {"reasons": reasons}},
            status=422,
            headers={"X-Supabase-Api-Version": API_VERSION},
        )

    async def confirm(self, request: web.Request) -> web.Response:
        """Test-only: the user opened the confirmation link (service key required)."""
        if request.headers.get("apikey") != self.tokens.service_key:
            return web.json_response({"message": "service key required"}, status=401)
        email = str((await request.json()).get("email") or "").lower()
        async with self.db.connection() as conn, conn.transaction():
            await conn.execute("update auth.users set email_confirmed_at = now() where email = %s", (email,))
        return web.Response(status=204)

    async def token(self, request: web.Request) -> web.Response:
        grant = request.query.get("grant_type")
        body = await request.json()
        if grant == "password":
            email = str(body.get("email") or "").strip().lower()
            user = await self._fetch_user("email", email)
            if user is None or not check_password(str(body.get("password") or ""), user["encrypted_password"]):
                return auth_error(400, "invalid_credentials", "Invalid login credentials")
            if user["email_confirmed_at"] is None:  # internal/api/token.go, ResourceOwnerPasswordGrant
                return auth_error(400, "email_not_confirmed", "Email not confirmed")
            return web.json_response(await self._session(user), headers={"X-Supabase-Api-Version": API_VERSION})
        if grant == "refresh_token":
            return await self._refresh(str(body.get("refresh_token") or ""))
        return auth_error(400, "validation_failed", f"unsupported_grant_type: {grant}")

    async def _refresh(self, token: str) -> web.Response:
        """internal/tokens/service.go RefreshTokenGrant: a revoked token works again only within
        the reuse interval; after it, the whole family is revoked (reuse detection) and the
        answer is refresh_token_already_used."""
        async with self.db.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.execute(
                "update auth.refresh_tokens set revoked = true, revoked_at = coalesce(revoked_at, now()) "
                "where token = %s and (not revoked or revoked_at > now() - make_interval(secs => %s)) "
                "returning user_id",
                (token, self.options.refresh_reuse_interval_s),
            )
            row = await cur.fetchone()
            if row is None:
                await cur.execute("select user_id from auth.refresh_tokens where token = %s", (token,))
                reused = await cur.fetchone()
                if reused is not None:
                    await cur.execute(
                        "update auth.refresh_tokens set revoked = true, revoked_at = now() - interval '1 hour'"
                        " where user_id = %s",
                        (reused[0],),
                    )
        if row is None:
            if reused is not None:
                return auth_error(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
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

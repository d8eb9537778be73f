"""The stand-in's HTTP server: Auth, PostgREST subset and Realtime on one aiohttp app.

Test-only extras live under ``/standin/v1`` (service key required): cutting every Realtime
socket without a close frame, the way a dropped network looks to a client, and closing every
channel with ``phx_close`` while the sockets stay up, as Realtime does when a token expires.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from tests.support.supabase_standin.auth import AuthEndpoints, AuthOptions, Tokens
from tests.support.supabase_standin.database import Database
from tests.support.supabase_standin.realtime import RealtimeEndpoint, RealtimeLimits
from tests.support.supabase_standin.rest import RestEndpoints

DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"


@dataclass(frozen=True)
class StandinInfo:
    url: str
    anon_key: str
    service_key: str
    publishable_key: str


class StandinServer:
    """Serve a prepared database (platform SQL + the repo's migrations) on ``host:port``."""

    def __init__(
        self,
        dsn: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        jwt_secret: str = DEFAULT_JWT_SECRET,
        access_ttl_s: int = 3600,
        realtime_limits: RealtimeLimits | None = None,
        statement_timeout_ms: int | None = 8000,
        auth_options: AuthOptions | None = None,
    ) -> None:
        self.realtime_limits = realtime_limits or RealtimeLimits()
        self.statement_timeout_ms = statement_timeout_ms
        self.auth_options = auth_options or AuthOptions()
        self.dsn = dsn
        self.host = host
        self.port = port
        self.jwt_secret = jwt_secret
        self.access_ttl_s = access_ttl_s
        self.db = Database(dsn)
        self._runner: web.AppRunner | None = None
        self.realtime: RealtimeEndpoint | None = None
        self.info: StandinInfo | None = None

    async def start(self) -> StandinInfo:
        await self.db.prepare()
        await self.db.open()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        # The URL is known only after binding (port 0 = any free port); the issuer uses it.
        tokens = Tokens(self.jwt_secret, issuer="", access_ttl_s=self.access_ttl_s)
        self.realtime = RealtimeEndpoint(self.db, tokens, self.realtime_limits)
        app.add_routes(AuthEndpoints(self.db, tokens, self.auth_options).routes())
        app.add_routes(RestEndpoints(self.db, tokens, statement_timeout_ms=self.statement_timeout_ms).routes())
        app.add_routes(self.realtime.routes())
        app.add_routes([
            web.post("/standin/v1/drop-realtime", self._drop_realtime),
            web.post("/standin/v1/close-channels", self._close_channels),
            web.get("/standin/v1/realtime-stats", self._realtime_stats),
        ])
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        sockets = site._server.sockets if site._server is not None else []  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        url = f"http://{self.host}:{self.port}"
        tokens.issuer = f"{url}/auth/v1"
        await self.realtime.start()
        self._tokens = tokens
        self.info = StandinInfo(url, tokens.anon_key, tokens.service_key, tokens.publishable_key)
        return self.info

    async def _drop_realtime(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != self._tokens.service_key:
            return web.json_response({"message": "service key required"}, status=401)
        assert self.realtime is not None
        return web.json_response({"dropped": self.realtime.drop_all()})

    async def _close_channels(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != self._tokens.service_key:
            return web.json_response({"message": "service key required"}, status=401)
        assert self.realtime is not None
        return web.json_response({"closed": await self.realtime.close_channels()})

    async def _realtime_stats(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != self._tokens.service_key:
            return web.json_response({"message": "service key required"}, status=401)
        assert self.realtime is not None
        return web.json_response(
            {"dropped": self.realtime.dropped, "rate_limited": self.realtime.rate.triggered(), "avg": self.realtime.rate.avg}
        )

    async def stop(self) -> None:
        if self.realtime is not None:
            await self.realtime.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.db.close()

    async def serve_forever(self) -> None:
        await asyncio.Event().wait()

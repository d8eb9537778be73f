"""agents.toml and settings.json: a bad value is one sentence naming the field, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ohm_desktop.cli import main
from ohm_desktop.config import Paths, load_settings
from ohm_desktop.errors import ConfigError
from ohm_desktop.runtime import load_agent_registry

AGENT_CASES = [
    ('[agents.BOM]\nmax_tokens = "abc"', "agents.BOM.max_tokens must be a whole number between 1 and 200000, not 'abc'"),
    ("[agents.BOM]\nmax_tokens = -5", "agents.BOM.max_tokens must be a whole number between 1 and 200000, not -5"),
    ("[agents.BOM]\nmax_tokens = 1e30", "agents.BOM.max_tokens must be a whole number"),
    ("[agents.BOM]\nmax_tokens = true", "agents.BOM.max_tokens must be a whole number"),
    ('[agents.BOM]\ntemperature = "hot"', "agents.BOM.temperature must be a number between 0 and 2, not 'hot'"),
    ("[agents.BOM]\ntemperature = nan", "agents.BOM.temperature must be a number between 0 and 2"),
    ("[agents.BOM]\nkeywords = 5", "agents.BOM.keywords must be a list of texts"),
    ("[agents.BOM]\nkeywords = [1, 2]", "agents.BOM.keywords must be a list of texts"),
    ("[agents.BOM]\nname = {a=1}", "agents.BOM.name must be text"),
    ("[agents.BOM]\ntools = [\"shell\"]", "agents.BOM.tools lists unknown tools ['shell']"),
    ("[agents.BOM]\nmodel = 5", "agents.BOM.model must be a model id"),
    ("agents = { BOM = 5 }", "agents.BOM must be a table"),
    ("router = 3", "[router] must be a table"),
    ("[router]\nmax_tokens = 0", "router.max_tokens must be a whole number"),
    ("[agents.SECURE]\nmodel = \"m\"", "agents.SECURE has neither `system_prompt` nor `prompt`"),
]


def _write_agents(text: str | bytes) -> Paths:
    paths = Paths.from_environment()
    paths.config.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        paths.user_agents_file.write_bytes(text)
    else:
        paths.user_agents_file.write_text(text, encoding="utf-8")
    return paths


@pytest.mark.parametrize(("toml", "sentence"), AGENT_CASES)
def test_a_bad_agents_toml_value_names_the_field(toml: str, sentence: str) -> None:
    paths = _write_agents(toml)
    with pytest.raises(ConfigError) as caught:
        load_agent_registry(paths, load_settings(paths))
    assert sentence in caught.value.message and str(paths.user_agents_file) in caught.value.message


def test_binary_agents_toml_is_a_config_error() -> None:
    paths = _write_agents(b"\xff\xfe\x00\x01binary")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_agent_registry(paths, load_settings(paths))


@pytest.mark.parametrize(
    ("settings", "sentence"),
    [
        ({"per_key_concurrency": "abc"}, "per_key_concurrency: input should be a valid integer"),
        ({"agent_overrides": {"BOM": {"max_tokens": 10**30}}}, "agent_overrides.BOM.max_tokens"),
        ({"request_deadline_s": -1}, "request_deadline_s: input should be greater than 0, not -1"),
        ([1, 2], "input should be a valid dictionary"),
    ],
)
def test_a_bad_settings_value_names_the_field(settings: object, sentence: str) -> None:
    paths = Paths.from_environment()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(json.dumps(settings))
    with pytest.raises(ConfigError) as caught:
        load_settings(paths)
    assert sentence in caught.value.message


@pytest.mark.parametrize("url", ["::::", "ftp://example.com/v1", "http://", "http://host:99999/v1", "localhost:8080"])
def test_an_unusable_gateway_url_is_bad_input(url: str, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OHM_GATEWAY_URL", url)
    monkeypatch.setenv("BYTEZ_API_KEY_1", "sk-bytez-config-test-key-0001")
    assert main(["ask", "hello"]) == 2
    err = capsys.readouterr().err
    assert "is not an http(s) URL" in err and "Traceback" not in err


def test_doctor_reports_a_bad_agents_file_instead_of_crashing(capsys: pytest.CaptureFixture[str]) -> None:
    _write_agents('[agents.BOM]\nmax_tokens = "abc"')
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✗ agents:" in out and "agents.BOM.max_tokens must be a whole number" in out
    assert "✓ local store" in out  # the other checks still ran


def test_doctor_reports_bad_settings_instead_of_crashing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    paths = Paths.from_environment()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text('{"gateway_url": "::::"}')
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✗ settings:" in out and "'::::' is not an http(s) URL" in out

"""Property-based: no command line and no config value gives a traceback or an undocumented exit code.

Hypothesis builds argument lists from the real commands' shapes (ids, numbers, text, flags,
odd bytes) and agents.toml / settings.json values of every TOML/JSON type. The runs are
derandomized, so CI sees the same examples every time (a property test must not flake either).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ohm_desktop.cli import main
from ohm_desktop.config import Paths, load_settings
from ohm_desktop.errors import ConfigError
from ohm_desktop.runtime import load_agent_registry
from ohm_desktop.store import LocalStore

DOCUMENTED = {0, 1, 2, 3, 4, 5, 130}
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)
numbers = st.one_of(st.sampled_from(["99999999999999999999", "-1", "0", "1e20", "nan", "inf", "", "٣", "0x10"]),
                    st.integers().map(str), st.floats(allow_nan=True).map(str))
chat_ids = st.one_of(st.sampled_from(["CHAT", "", "%", "_", "\\", "0", "CHAT%"]), text)
artifact_types = st.one_of(st.sampled_from(["bom", "code", "wiring"]), text)
formats = st.sampled_from(["csv", "jlcpcb", "kicad", "arduino", "zip", "wireviz", "dot", "json", "nope"])


EDGE = st.sampled_from(["99999999999999999999", "-1", "0", "1e20", "nan", "", "%", "_", "CHAT"])


def options(*names: str) -> st.SearchStrategy[list[str]]:
    """Zero to two ``--option VALUE`` pairs (a value may be missing, like a person forgets it)."""
    if not names:
        return st.just([])
    pair = st.tuples(st.sampled_from(names), st.one_of(EDGE, numbers, chat_ids, formats)).map(list)
    return st.lists(st.one_of(pair, pair, st.sampled_from(names).map(lambda name: [name])), max_size=2).map(
        lambda pairs: [part for pair in pairs for part in pair]
    )


def command(head: list[str], positionals: list[st.SearchStrategy[str]], *names: str) -> st.SearchStrategy[list[str]]:
    """``head``, its positionals in order (sometimes one short, or one too many), then options."""
    extra = st.lists(st.one_of(EDGE, text), max_size=1)
    args = st.tuples(*positionals, extra).map(lambda parts: [*parts[:-1], *parts[-1]]) if positionals else extra
    return st.tuples(args, options(*names)).map(lambda parts: head + parts[0] + parts[1])


ID = st.one_of(st.just("CHAT"), st.just("CHAT"), EDGE, chat_ids)
TYPE = st.one_of(st.just("bom"), artifact_types)
NUMBER = st.one_of(st.just("1"), EDGE, numbers)
commands = st.one_of(
    command(["chats", "list"], [], "--limit", "--offset", "--json"),
    command(["chats", "search"], [st.one_of(text, EDGE)], "--limit", "--chat", "--json"),
    command(["chats", "show"], [ID], "--limit", "--json"),
    command(["chats", "rename"], [ID, text]),
    command(["chats", "trash"], [ID]),
    command(["chats", "restore"], [ID]),
    command(["artifacts", "list"], [ID], "--json"),
    command(["artifacts", "check"], [ID], "--json"),
    command(["artifacts", "show"], [ID, TYPE, NUMBER], "--json"),
    command(["artifacts", "diff"], [ID, TYPE, NUMBER, NUMBER], "--json"),
    command(["artifacts", "revert"], [ID, TYPE, NUMBER]),
    command(["artifacts", "export"], [ID, TYPE], "--format", "--version", "-o"),
    command(["ask"], [st.one_of(text, st.just("-"))], "--chat", "--agent", "--new", "--file", "--json"),
    command([], [st.one_of(text, numbers)], "-v", "--version", "--help"),
)


@pytest.fixture
def a_chat() -> str:
    store = LocalStore.open(Paths.from_environment().database)
    try:
        chat = store.create_chat("property")
        store.write_version(chat.id, "bom", {"projectName": "p", "parts": [{"name": "LED", "quantity": 1}]},
                            change_summary="v1", created_by="you")
        return chat.id
    finally:
        store.close()


@PROPERTY
@given(argv=commands)
def test_no_command_line_gives_a_traceback_or_an_undocumented_exit_code(
    argv: list[str], a_chat: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    argv = [a_chat if part == "CHAT" else part.replace("CHAT", a_chat[:8]) for part in argv]
    if "-o" in argv:  # exports go to this test's folder, never the working tree
        argv = [str(tmp_path / "export") if previous == "-o" else part
                for previous, part in zip(["", *argv], argv, strict=False)]
    # No key is configured: `ask` stops at "no usable key" (3) before any network.
    code = main(argv)
    err = capsys.readouterr().err
    assert code in DOCUMENTED, (argv, code, err)
    assert "Traceback" not in err and "unexpected error" not in err, (argv, err)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else "-inf" if value == -math.inf else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"


scalars = st.one_of(st.integers(), st.floats(), st.booleans(), text)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(text, inner, max_size=2)), max_leaves=5)
agent_fields = st.sampled_from(["max_tokens", "temperature", "keywords", "name", "tools", "model", "description",
                                "system_prompt", "prompt"])


@PROPERTY
@given(table=st.sampled_from(["agents.BOM", "agents.NEW", "router"]), field=agent_fields, value=values)
def test_no_agents_toml_value_crashes_loading(table: str, field: str, value: Any) -> None:
    paths = Paths.from_environment()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.user_agents_file.write_text(f"[{table}]\n{field} = {_toml_value(value)}\n", encoding="utf-8")
    try:
        registry = load_agent_registry(paths, load_settings(paths))
    except ConfigError as exc:
        assert "agents.toml" in exc.message
        return
    for agent in registry.agents.values():
        assert isinstance(agent.max_tokens, int) and 1 <= agent.max_tokens <= 200_000
        assert 0 <= agent.temperature <= 2 and all(isinstance(word, str) for word in agent.keywords)


json_values = st.recursive(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.booleans(), text),
                           lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=2)),
                           max_leaves=5)
setting_fields = st.sampled_from(["gateway_url", "per_key_concurrency", "request_deadline_s", "max_tool_rounds",
                                  "history_token_budget", "agent_overrides", "active_profile", "profiles", "theme"])


@PROPERTY
@given(field=setting_fields, value=json_values)
def test_no_settings_value_crashes_a_command(field: str, value: Any, capsys: pytest.CaptureFixture[str]) -> None:
    paths = Paths.from_environment()
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(json.dumps({field: value}), encoding="utf-8")
    code = main(["ask", "--agent", "CHAT", "hello"])  # no key: stops before the network
    err = capsys.readouterr().err
    assert code in {2, 3}, (field, value, err)
    assert "Traceback" not in err and "unexpected error" not in err, (field, value, err)

"""The local store's behaviour on a real SQLite file: migrations, search, trash, revert, failures."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from ohm_desktop.errors import StoreError, UsageError
from ohm_desktop.store import LocalStore, StoreChange
from ohm_desktop.store.local_store import fts_query, split_sql
from ohm_desktop.store.migrations import MIGRATIONS

BOM = {"projectName": "Weather station", "parts": [{"designator": "U1", "name": "ESP32 DevKit", "quantity": 1}]}


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    opened = LocalStore.open(tmp_path / "ohm.sqlite3")
    yield opened
    opened.close()


# ------------------------------------------------------------------ schema
def test_split_sql_keeps_trigger_bodies_and_literals_whole() -> None:
    script = """
    CREATE TABLE t (a TEXT); -- a comment; with a semicolon
    CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
        INSERT INTO t (a) VALUES ('x;y');
        INSERT INTO t (a) VALUES ('z');
    END;
    INSERT INTO t (a) VALUES ('semi;colon');
    """
    statements = split_sql(script)
    assert len(statements) == 3
    assert "CREATE TRIGGER" in statements[1] and statements[1].rstrip().endswith("END;")
    assert "'semi;colon'" in statements[2]
    with pytest.raises(ValueError, match="incomplete"):
        split_sql("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('open")


def _build_schema(path: Path, version: int) -> None:
    """A database exactly as an Ohm with the first ``version`` migrations left it, with data in it."""
    db = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:version]:
        db.executescript(f"BEGIN; {script}; COMMIT;")
    db.execute(f"PRAGMA user_version={version}")
    if version >= 1:
        db.execute("INSERT INTO chats VALUES ('c1', 'old chat', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', NULL)")
        db.execute(
            "INSERT INTO messages (id, chat_id, seq, role, content, status, created_at)"
            " VALUES ('m1', 'c1', 1, 'user', 'an esp32 relay board please', 'complete', '2025-01-01T00:00:00Z')"
        )
        db.execute(
            "INSERT INTO messages (id, chat_id, seq, role, content, status, created_at)"
            " VALUES ('m2', 'c1', 2, 'assistant', 'half a rep', 'streaming', '2025-01-01T00:00:01Z')"
        )
        db.execute("INSERT INTO artifacts VALUES ('a1', 'c1', 'bom', 1, '2025-01-01T00:00:00Z')")
        db.execute(
            "INSERT INTO artifact_versions VALUES ('v1', 'a1', 1, ?, 'first parts', 'Parts Planner', NULL,"
            " '2025-01-01T00:00:00Z')",
            (json.dumps({"projectName": "Relay", "parts": [{"name": "SRD-05VDC relay", "quantity": 2}]}),),
        )
    db.close()


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_every_earlier_schema_upgrades_with_its_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.sqlite3"
    _build_schema(path, version)
    store = LocalStore.open(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert store.integrity_check() == "ok"
        if version >= 1:
            assert store.get_chat("c1").title == "old chat"
            assert store.recover_interrupted() == 1
            assert store.get_message("m2").status == "interrupted"
            assert {hit.message_id for hit in store.search("esp32")} == {"m1"}
            [hit] = store.search("relay srd")
            assert (hit.kind, hit.artifact_type, hit.version_number) == ("artifact", "bom", 1)
            assert store.write_version("c1", "bom", BOM, change_summary="s", created_by="you").version_number == 2
    finally:
        store.close()


def test_a_database_from_a_newer_ohm_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}").connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer Ohm") as caught:
        LocalStore.open(path)
    assert str(path) in caught.value.message
    assert path.read_bytes() == before


def test_wal_foreign_keys_and_full_sync_are_on(store: LocalStore) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store._db.execute("INSERT INTO artifacts VALUES ('a', 'no-such-chat', 'bom', 0, 'now')")


# ------------------------------------------------------------------ search
def test_search_finds_words_by_prefix_ignoring_case_and_accents(store: LocalStore) -> None:
    chat = store.create_chat("robot")
    store.add_message(chat.id, "user", "Is the Résistance on the ESP32-C3 board fine?")
    store.add_message(chat.id, "assistant", "Use an Arduino Nano instead.")
    assert [h.seq for h in store.search("esp")] == [1]
    assert [h.seq for h in store.search("resistance esp32")] == [1]
    assert [h.seq for h in store.search("NANO")] == [2]
    assert store.search("esp32 nano") == []
    [hit] = store.search("arduino", mark=("<b>", "</b>"))
    assert "<b>Arduino</b>" in hit.snippet and hit.chat_title == "robot" and hit.role == "assistant"


@pytest.mark.parametrize("query", ['"', "AND", "NEAR(", "a*b", "col:x", "-", "(", "   ", "^", "'; DROP TABLE chats; --"])
def test_search_accepts_any_text_without_fts_syntax_errors(store: LocalStore, query: str) -> None:
    chat = store.create_chat("t")
    store.add_message(chat.id, "user", "AND near col x")
    store.search(query)  # must not raise
    assert fts_query("   ") is None


def test_search_reports_each_artifact_once_at_its_latest_matching_version(store: LocalStore) -> None:
    chat = store.create_chat("weather")
    for quantity in (1, 2, 3):
        parts = [{"designator": "U1", "name": "ESP32 DevKit", "quantity": quantity}]
        store.write_version(chat.id, "bom", {"projectName": "W", "parts": parts}, change_summary="x", created_by="a")
    store.write_version(chat.id, "bom", {"projectName": "W", "parts": []}, change_summary="emptied", created_by="a")
    [hit] = store.search("devkit")
    assert (hit.kind, hit.artifact_type, hit.version_number) == ("artifact", "bom", 3)
    assert json.loads(json.dumps(hit.to_dict()))["version_number"] == 3
    # Keys of the JSON are not content: "projectName" is not a word anyone wrote.
    assert store.search("projectName") == []


def test_search_follows_streaming_text_and_skips_trashed_chats(store: LocalStore) -> None:
    chat = store.create_chat("stream")
    message = store.add_message(chat.id, "assistant", "", status="streaming")
    store.save_partial(message.id, "first draft mentions a buzzer")
    assert len(store.search("buzzer")) == 1
    store.finish_message(message.id, content="final text mentions a relay")
    assert store.search("buzzer") == [] and len(store.search("relay")) == 1
    other = store.create_chat("other")
    store.add_message(other.id, "user", "relay too")
    assert {h.chat_id for h in store.search("relay", chat_id=other.id)} == {other.id}
    store.trash_chat(chat.id)
    assert {h.chat_id for h in store.search("relay")} == {other.id}
    assert {h.chat_id for h in store.search("relay", include_trashed=True)} == {chat.id, other.id}


# ------------------------------------------------------------------- trash
def test_trash_hides_a_chat_and_restore_brings_everything_back(store: LocalStore) -> None:
    chat = store.create_chat("keep me")
    store.add_message(chat.id, "user", "hello")
    store.write_version(chat.id, "bom", BOM, change_summary="s", created_by="you")
    heard: list[StoreChange] = []
    store.subscribe(heard.append)
    trashed = store.trash_chat(chat.id)
    assert trashed.deleted_at is not None
    assert store.list_chats() == [] and [c.id for c in store.list_trash()] == [chat.id]
    assert store.find_chat(chat.id[:8]).deleted_at is not None
    restored = store.restore_chat(chat.id)
    assert restored.deleted_at is None and [c.id for c in store.list_chats()] == [chat.id]
    assert store.list_trash() == []
    assert store.count_messages(chat.id) == 1 and store.get_version(chat.id, "bom") is not None
    assert [change.table for change in heard] == ["chats", "chats"]
    shipped = store._db.execute("SELECT payload_json FROM outbox WHERE table_name = 'chats'").fetchall()
    assert [json.loads(row[0])["deleted_at"] is None for row in shipped] == [True, False, True]
    with pytest.raises(UsageError):
        store.trash_chat("no-such-chat")


# ------------------------------------------------------------------ revert
def test_revert_writes_a_new_version_equal_to_the_old_one(store: LocalStore) -> None:
    chat = store.create_chat("r")
    for name in ("a", "b", "c"):
        store.write_version(chat.id, "bom", {"projectName": name, "parts": []}, change_summary=name, created_by="BOM")
    reverted = store.revert_version(chat.id, "bom", 1)
    assert reverted.version_number == 4 and reverted.created_by == "you"
    assert reverted.content == store.get_version(chat.id, "bom", 1).content  # type: ignore[union-attr]
    assert "version 1" in reverted.change_summary
    assert [v.version_number for v in store.list_versions(chat.id, "bom")] == [1, 2, 3, 4]
    by_agent = store.revert_version(chat.id, "bom", 2, created_by="Parts Planner")
    assert (by_agent.version_number, by_agent.created_by) == (5, "Parts Planner")
    with pytest.raises(UsageError, match="no version 9"):
        store.revert_version(chat.id, "bom", 9)
    assert store.get_artifact(chat.id, "bom").current_version == 5  # type: ignore[union-attr]


def test_versions_are_unique_per_artifact_even_written_behind_the_stores_back(store: LocalStore) -> None:
    chat = store.create_chat("u")
    version = store.write_version(chat.id, "bom", BOM, change_summary="s", created_by="you")
    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute(
            "INSERT INTO artifact_versions VALUES ('dup', ?, 1, '{}', 's', 'x', NULL, 'now')", (version.artifact_id,)
        )


def test_messages_page_backwards_by_seq(store: LocalStore) -> None:
    chat = store.create_chat("long")
    for index in range(1, 26):
        store.add_message(chat.id, "user", f"message {index}")
    latest = store.list_messages(chat.id, limit=10)
    assert [m.seq for m in latest] == list(range(16, 26))
    older = store.list_messages(chat.id, limit=10, before_seq=latest[0].seq)
    assert [m.seq for m in older] == list(range(6, 16))
    assert store.count_messages(chat.id) == 25


# ---------------------------------------------------------------- failures
def test_a_corrupt_file_is_moved_aside_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "ohm.sqlite3"
    garbage = b"this is not a database, it is a shopping list\n" * 200
    path.write_bytes(garbage)
    (tmp_path / "ohm.sqlite3-wal").write_bytes(b"stray wal")
    store = LocalStore.open(path)
    try:
        moved = store.recovered_from
        assert moved is not None and moved.name.startswith("ohm.sqlite3.corrupt-")
        assert moved.read_bytes() == garbage
        assert moved.with_name(moved.name + "-wal").read_bytes() == b"stray wal"
        assert store.integrity_check() == "ok" and store.list_chats() == []
        store.create_chat("fresh start")
    finally:
        store.close()
    again = LocalStore.open(path)
    assert again.recovered_from is None and [c.title for c in again.list_chats()] == ["fresh start"]
    again.close()


def test_a_database_with_damaged_pages_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "ohm.sqlite3"
    store = LocalStore.open(path)
    store.create_chat("will be damaged")
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xde\xad\xbe\xef" * 2048  # the schema pages after the header
    path.write_bytes(bytes(data))
    reopened = LocalStore.open(path)
    try:
        assert reopened.recovered_from is not None and reopened.recovered_from.read_bytes() == bytes(data)
        assert reopened.integrity_check() == "ok"
    finally:
        reopened.close()


def test_disk_full_is_one_sentence_and_loses_nothing(store: LocalStore) -> None:
    chat = store.create_chat("full")
    store.write_version(chat.id, "bom", BOM, change_summary="fits", created_by="you")
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count={pages}")
    big = {"projectName": "x" * 200_000, "parts": []}
    with pytest.raises(StoreError) as caught:
        store.write_version(chat.id, "bom", big, change_summary="too big", created_by="you")
    assert "Disk full" in caught.value.message and str(store.path) in caught.value.message
    assert not store._db.in_transaction
    assert [v.version_number for v in store.list_versions(chat.id, "bom")] == [1]
    assert store.get_artifact(chat.id, "bom").current_version == 1  # type: ignore[union-attr]
    store._db.execute("PRAGMA max_page_count=1073741823")
    assert store.write_version(chat.id, "bom", big, change_summary="room now", created_by="you").version_number == 2


def test_an_unwritable_folder_names_the_path_and_the_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreError) as caught:
        LocalStore.open(blocker / "ohm.sqlite3")
    assert str(blocker) in caught.value.message and "OHM_DATA_DIR" in caught.value.message


def test_several_processes_opening_an_old_database_migrate_it_once(tmp_path: Path) -> None:
    import select
    import subprocess
    import sys

    path = tmp_path / "old.sqlite3"
    _build_schema(path, 1)
    # Every opener says it is ready on one pipe, then blocks reading another until the test closes
    # its write end: all are released at once and reach the WAL switch together (before the retry
    # there, a crowd like this often got "database is locked"). A pipe, not a FIFO opened by path:
    # closing it releases also an opener that has not started reading yet, so nobody can miss "go".
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    code = (
        "import os, sys; from ohm_desktop.store import LocalStore\n"
        "os.write(int(sys.argv[2]), b'r')\n"
        "os.read(int(sys.argv[3]), 1)\n"
        "LocalStore.open(sys.argv[1]).close()"
    )
    root = Path(__file__).resolve().parents[3]
    openers = [
        subprocess.Popen([sys.executable, "-c", code, str(path), str(ready_write), str(go_read)], cwd=root,
                         stderr=subprocess.PIPE, text=True, pass_fds=(ready_write, go_read))
        for _ in range(6)
    ]
    os.close(ready_write)
    os.close(go_read)
    ready = 0
    # Starting six Pythons on a loaded machine takes what it takes: wait for their word, not a time,
    # and stop waiting only when an opener died before giving it.
    while ready < len(openers) and all(opener.poll() is None for opener in openers):
        if select.select([ready_read], [], [], 0.5)[0]:
            ready += len(os.read(ready_read, len(openers)))
    os.close(ready_read)
    os.close(go_write)
    for opener in openers:
        _, err = opener.communicate()
        assert opener.returncode == 0, err
    assert ready == len(openers)
    store = LocalStore.open(path)
    assert store.schema_version == len(MIGRATIONS) and [h.message_id for h in store.search("esp32")] == ["m1"]
    store.close()


def test_store_benchmark_runs_at_test_size() -> None:
    from tests.benchmarks.bench_store import run

    results = run(messages=300, versions=30, writes=20, repeat=10)
    assert results["integrity"] == "ok" and results["search_hits_esp32"] > 0
    for metric in ("open_chat_ms", "paginate_50_ms", "search_ms", "write_version_ms"):
        assert results[metric]["p50"] > 0
    assert set(results["targets"]) == {"paginate_lt_50ms", "search_lt_30ms", "write_p99_lt_5ms"}


def test_a_reply_still_streaming_in_a_live_process_is_not_marked_interrupted(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    path = tmp_path / "ohm.sqlite3"
    LocalStore.open(path).close()
    streamer_code = (
        "import sys; from ohm_desktop.store import LocalStore\n"
        "store = LocalStore.open(sys.argv[1]); chat = store.create_chat('live')\n"
        "message = store.add_message(chat.id, 'assistant', 'still typ', status='streaming')\n"
        "print(message.id, flush=True); sys.stdin.read()\n"
    )
    root = Path(__file__).resolve().parents[3]
    streamer = subprocess.Popen(
        [sys.executable, "-c", streamer_code, str(path)], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert streamer.stdout is not None
        message_id = streamer.stdout.readline().strip()
        other = LocalStore.open(path)  # e.g. `ohm chats list` while the window streams
        assert other.recover_interrupted() == 0
        assert other.get_message(message_id).status == "streaming"
        streamer.send_signal(signal.SIGKILL)
        streamer.wait(timeout=30)
        assert other.recover_interrupted() == 1
        assert other.get_message(message_id).status == "interrupted"
        assert other.get_message(message_id).content == "still typ"
        other.close()
    finally:
        if streamer.poll() is None:
            streamer.kill()
            streamer.wait()
    assert list(tmp_path.glob("ohm.sqlite3.writer-*")) == [], "dead and closed leases are cleaned up"


def test_two_stores_in_one_process_respect_each_others_replies(tmp_path: Path) -> None:
    path = tmp_path / "ohm.sqlite3"
    first, second = LocalStore.open(path), LocalStore.open(path)
    chat = first.create_chat("c")
    live = first.add_message(chat.id, "assistant", "", status="streaming")
    assert second.recover_interrupted() == 0 and first.recover_interrupted() == 0
    first.close()  # closed without finishing: the reply is abandoned
    assert second.recover_interrupted() == 1 and second.get_message(live.id).status == "interrupted"
    second.close()

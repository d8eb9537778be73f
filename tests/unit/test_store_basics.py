from ohm_desktop.store import LocalStore


def test_versions_are_numbered_per_artifact_and_immutable() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("robot")
    first = store.write_version(chat.id, "bom", {"projectName": "r", "parts": []}, change_summary="a", created_by="x")
    second = store.write_version(chat.id, "bom", {"projectName": "r2", "parts": []}, change_summary="b", created_by="x")
    assert (first.version_number, second.version_number) == (1, 2)
    assert store.get_version(chat.id, "bom", 1).content["projectName"] == "r"  # type: ignore[union-attr]
    assert store.get_artifact(chat.id, "bom").current_version == 2  # type: ignore[union-attr]


def test_streaming_message_reaches_outbox_only_when_finished() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    message = store.add_message(chat.id, "assistant", "", status="streaming")
    count = lambda: store._db.execute("SELECT COUNT(*) FROM outbox WHERE table_name='messages'").fetchone()[0]  # noqa: E731
    assert count() == 0
    store.finish_message(message.id, content="done", status="complete")
    assert count() == 1

"""Qt-free local persistence (SQLite). ``LocalStore`` is the entry point."""

from ohm_desktop.store.local_store import LocalStore
from ohm_desktop.store.records import (
    ARTIFACT_TYPES,
    Artifact,
    ArtifactType,
    ArtifactVersion,
    Chat,
    Message,
    MissingParent,
    OutboxRow,
    SearchHit,
    StoreChange,
)

__all__ = ["ARTIFACT_TYPES", "Artifact", "ArtifactType", "ArtifactVersion", "Chat", "LocalStore", "Message", "MissingParent", "OutboxRow", "SearchHit", "StoreChange"]

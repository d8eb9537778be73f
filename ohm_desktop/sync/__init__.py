"""Qt-free Supabase sync between workstations.

``SyncService`` is the entry point (see service.py); the UI shows ``SyncStatus``. Nothing in
here imports supabase until sync starts, so an offline install never loads it.
"""

from ohm_desktop.sync.service import SyncReport, SyncService
from ohm_desktop.sync.status import SyncState, SyncStatus

__all__ = ["SyncReport", "SyncService", "SyncState", "SyncStatus"]

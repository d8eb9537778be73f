"""PySide6 views: they render core events and call core services, nothing more."""

from ohm_desktop.ui.panels.code.panel import CodePanel

__all__ = ["CodePanel"]

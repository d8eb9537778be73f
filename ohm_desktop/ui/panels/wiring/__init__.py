from ohm_desktop.ui.panels.wiring.panel import WiringPanel

__all__ = ["WiringPanel"]

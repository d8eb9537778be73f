from ohm_desktop.ui.panels.bom.panel import BomPanel

__all__ = ["BomPanel"]

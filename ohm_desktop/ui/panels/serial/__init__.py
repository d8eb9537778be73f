"""The serial monitor dock panel."""

from ohm_desktop.ui.panels.serial.widget import SerialMonitorPanel, create_serial_dock

__all__ = ["SerialMonitorPanel", "create_serial_dock"]

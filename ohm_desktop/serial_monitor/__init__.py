"""Bench serial tools (Qt-free): a serial monitor session and board uploads."""

from ohm_desktop.serial_monitor.session import (
    COMMON_BAUD_RATES,
    PortInfo,
    SerialLine,
    SerialPortError,
    SerialSession,
    list_ports,
)
from ohm_desktop.serial_monitor.upload import (
    UploadPlan,
    UploadResult,
    UploadToolMissingError,
    plan_upload,
    upload_sketch,
)

__all__ = [
    "COMMON_BAUD_RATES",
    "PortInfo",
    "SerialLine",
    "SerialPortError",
    "SerialSession",
    "UploadPlan",
    "UploadResult",
    "UploadToolMissingError",
    "list_ports",
    "plan_upload",
    "upload_sketch",
]

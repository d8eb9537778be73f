"""JLCPCB's assembly BOM: the parts JLCPCB solders onto the board, one line per distinct part.

Where each rule comes from:
- Columns ``Comment, Designator, Footprint, LCSC``: JLCPCB's "Bill of Materials (BOM) File for
  PCB Assembly" (Comment = value/spec such as ``100nF``, Designator such as ``R201``, Footprint =
  the package such as ``0402``/``SSOP-8``), with the part-number column named ``LCSC`` as the
  KiCad JLCPCB plugin (Bouni/kicad-jlcpcb-tools, ``fabrication.py`` ``generate_bom``) writes it.
- Designators comma-separated, every one spelled out (a placement file has one line per
  designator, so ``R1-R3`` would match nothing) and at most 200 per line: JLCPCB's
  "Recommendations for BOM / CPL File Preparation", sections II and III.
- Footprint without the KiCad library prefix: the plugin writes ``GetFPID().GetLibItemName()``.
- Designators that differ only in letter case are an error: JLCPCB upper-cases them
  ("please don't use case distinction", BOM help page), so they would become one part.
- Parts not soldered by JLCPCB (modules, batteries, motors, … or flagged ``off_board``/``dnp``)
  are left out, as the plugin skips footprints marked "exclude from BOM".
- Plain UTF-8 without a byte-order mark, as the plugin writes it: JLCPCB asks for .csv/.xls/.xlsx,
  not for Excel's UTF-8 signature.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportError, ExportResult, parts_of, text, write_csv
from ohm_desktop.artifacts.export.designators import designators_of
from ohm_desktop.artifacts.export.nets import natural_key

HEADER = ("Comment", "Designator", "Footprint", "LCSC")
MAX_DESIGNATORS_PER_LINE = 200

# An LCSC part number is "C" + digits (C17673). Fields meant for it may say "LCSC: C17673" or
# "LCSC#C17673"; free text (notes, mpn) needs the "LCSC" label, since "C12" there is a designator
# and MPNs such as C0805C104K5RACTU start with C + digits.
_LCSC_FIELDS = ("lcsc", "lcsc_pn", "jlcpcb", "jlcpcb_pn", "supplier_pn")
_LABELLED = re.compile(r"\b(?:LCSC|JLC(?:PCB)?)\s*(?:part\s*)?(?:#|no\.?|number|pn)?\s*[:=#]?\s*(C\d+)\b", re.IGNORECASE)
_BARE = re.compile(r"^\s*(C\d+)\s*$", re.IGNORECASE)
_TOKEN = re.compile(r"(?<![\w-])(C\d{3,})(?![\w-])", re.IGNORECASE)

# Words that mark a part JLCPCB does not solder on the board: boards and modules that plug in,
# power sources, actuators and wiring. Matched as whole words in name, footprint and notes.
_OFF_BOARD_WORDS = (
    "module", "breakout", "dev board", "devkit", "devkitc", "dev kit", "development board", "off-board", "off board", "arduino", "nodemcu", "raspberry pi",
    "battery", "batteries", "cell holder", "motor", "servo", "stepper", "breadboard", "jumper", "wire", "cable",
    "enclosure", "power bank", "wall adapter", "power supply", "propeller", "wheel", "chassis",
)
# ... unless the word describes a chip or connector that is on the board ("motor driver", "battery charger").
_ON_BOARD_AFTER = r"(?!\s*(?:driver|controller|charger|management|protection|monitor|holder|connector|header|terminal))"
_OFF_BOARD = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in _OFF_BOARD_WORDS) + r")s?\b" + _ON_BOARD_AFTER, re.IGNORECASE
)
_OFF_BOARD_FLAGS = ("off_board", "dnp", "exclude_from_bom", "do_not_place")


def lcsc_part_number(part: dict[str, Any]) -> str:
    """The LCSC part number of a part (``C17673``) from its supplier fields, mpn or notes; "" if none."""
    for name in _LCSC_FIELDS:
        value = text(part.get(name))
        match = _LABELLED.search(value) or _BARE.match(value) or _TOKEN.search(value)
        if match:
            return match[1].upper()
    for name in ("mpn", "notes", "description"):
        value = text(part.get(name))
        match = _LABELLED.search(value) or (_BARE.match(value) if name == "mpn" else None)
        if match:
            return match[1].upper()
    return ""


def footprint_name(footprint: str) -> str:
    """``Resistor_SMD:R_0805_2012Metric`` → ``R_0805_2012Metric`` (JLCPCB wants the package only)."""
    return footprint.rsplit(":", 1)[-1].strip()


def off_board_reason(part: dict[str, Any]) -> str | None:
    """Why JLCPCB would not solder this part (flag or inferred word), or None for a board part."""
    for flag in _OFF_BOARD_FLAGS:
        if part.get(flag) in (True, "true", "yes", 1):
            return flag.replace("_", " ")
    if part.get("assembly") in (False, "false", "no", 0) or part.get("on_board") in (False, "false", "no", 0):
        return "not for assembly"
    for name in ("name", "footprint", "notes"):
        match = _OFF_BOARD.search(text(part.get(name)))
        if match:
            return match[0].lower()
    return None


def _problems(parts: list[dict[str, Any]]) -> list[str]:
    """Quantity/designator mismatches and case-only duplicates, each as "where: what"."""
    problems = []
    seen: dict[str, str] = {}
    for part in parts:
        label = text(part.get("designator")) or text(part.get("name"))
        designators = designators_of(part)
        quantity = part.get("quantity")
        if not designators:
            problems.append(f"{label} has no designator")
        elif isinstance(quantity, int) and quantity != len(designators):
            problems.append(f"{label} has quantity {quantity} but {len(designators)} designator(s)")
        for designator in designators:
            other = seen.setdefault(designator.upper(), designator)
            if other != designator or designators.count(designator) > 1:
                problems.append(f"{designator} and {other} are the same designator to JLCPCB")
    return list(dict.fromkeys(problems))


def assembly_rows(bom: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    """The BOM lines and the notices about left-out parts; raises when the BOM cannot be placed."""
    on_board, left_out = [], []
    for part in parts_of(bom):
        reason = off_board_reason(part)
        if reason is None:
            on_board.append(part)
        else:
            left_out.append(f"{text(part.get('designator')) or text(part.get('name'))} ({reason})")
    problems = _problems(on_board)
    if problems:
        raise ExportError(
            "The JLCPCB BOM was not written because JLCPCB places one part per designator: "
            + "; ".join(problems) + ". Give every placed part its own designator and export again."
        )
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for part in on_board:
        comment = text(part.get("value")) or text(part.get("name"))
        key = (comment, footprint_name(text(part.get("footprint"))), lcsc_part_number(part))
        grouped.setdefault(key, []).extend(designators_of(part))
    rows = []
    for (comment, footprint, lcsc), designators in grouped.items():
        ordered = sorted(designators, key=natural_key)
        for start in range(0, len(ordered), MAX_DESIGNATORS_PER_LINE):
            rows.append([comment, ",".join(ordered[start:start + MAX_DESIGNATORS_PER_LINE]), footprint, lcsc])
    notices = []
    if left_out:
        notices.append(f"Left out of the JLCPCB BOM as not soldered on the board: {', '.join(left_out)}.")
    missing = [row[1] for row in rows if not row[3]]
    if missing:
        notices.append(f"No LCSC part number for {', '.join(missing)}: choose them in JLCPCB's part search.")
    return rows, notices


def assembly_bom(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    rows, notices = assembly_rows(content)
    return ExportResult(write_csv(path, HEADER, rows, excel_bom=False), notices)

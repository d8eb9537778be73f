from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.sketch import Sketch, function_prototypes, preprocess_ino


def test_prototypes_cover_functions_defined_after_use_and_skip_control_flow() -> None:
    code = """
// void commented(int x) { }
const char *msg = "void inString() {";
struct Reading { int value; };
void setup() {
  if (ready()) { helper(1); }
  while (true) { }
}
int helper(int times) {
  for (int i = 0; i < times; i++) { }
  return times;
}
bool ready() { return true; }
static float scale(float v, const Reading &r) { return v * r.value; }
void withDefault(int x = 3) { }
template <typename T> T twice(T v) { return v * 2; }
"""
    prototypes = function_prototypes(code)
    assert prototypes == [
        "void setup()",
        "int helper(int times)",
        "bool ready()",
        "static float scale(float v, const Reading &r)",
        "void withDefault(int x = 3)",
        "template <typename T> T twice(T v)",
    ]


def test_prototypes_like_the_arduino_builder_for_the_hard_cases(tmp_path: Path) -> None:
    code = """#define FEATURE 1
long declared(int x);
void setup() {
  beep();
  T_used();
}
void loop() {}
void beep(int ms = 100) { delay(ms); }
template <typename T>
T clampTo(T v, T lo,
          T hi) { return v < lo ? lo : v > hi ? hi : v; }
int &slot(int (&table)[4], int index) { return table[index]; }
#if FEATURE
void T_used() {}
#else
void T_used() { delay(1); }
#endif
long declared(int x) { return x; }
"""
    sketch = Sketch.from_code_content({"files": [{"path": "s.ino", "content": code}]})
    cpp = preprocess_ino(sketch, tmp_path)
    lines = cpp.splitlines()
    assert "void beep(int ms = 100);" in lines  # the default goes into the prototype ...
    assert "void beep(int ms      ) { delay(ms); }" in lines  # ... and out of the definition, columns kept
    assert "template <typename T> T clampTo(T v, T lo, T hi);" in lines
    assert lines.count("void T_used();") == 2
    at = lines.index("void T_used();")
    assert lines[at - 1] == "#if FEATURE" and lines[at + 1] == "#endif"
    assert lines[at + 2: at + 6] == ["#if FEATURE", "#else", "void T_used();", "#endif"]
    assert lines.count("long declared(int x);") == 1  # the sketch's own declaration only


def test_preprocessed_sketch_keeps_line_numbers_of_the_ino_file(tmp_path: Path) -> None:
    sketch = Sketch.from_code_content({"files": [
        {"path": "blink.ino", "content": "#define LED 13\n\nvoid setup() {\n  later();\n}\nvoid later() {}\n"},
        {"path": "extra.ino", "content": "void more() {}\n"},
    ]})
    cpp = preprocess_ino(sketch, tmp_path)
    lines = cpp.splitlines()
    assert lines[0] == "#include <Arduino.h>"
    assert f'#line 1 "{tmp_path}/blink.ino"' in lines
    # The prototypes go right before the first definition, then #line resumes at that definition.
    proto_at = lines.index("void later();")
    assert lines[proto_at + 2] == f'#line 3 "{tmp_path}/blink.ino"'
    assert lines[proto_at + 3] == "void setup() {"
    assert "void more();" in lines
    assert f'#line 1 "{tmp_path}/extra.ino"' in lines


def test_sketch_from_folder_puts_the_folder_named_ino_first(tmp_path: Path) -> None:
    folder = tmp_path / "robot"
    folder.mkdir()
    (folder / "a_helpers.ino").write_text("void h() {}\n")
    (folder / "robot.ino").write_text("void setup() {}\nvoid loop() {}\n")
    (folder / "motor.h").write_text("#pragma once\n")
    (folder / "notes.txt").write_text("not source")
    sketch = Sketch.from_path(folder)
    assert sketch.name == "robot"
    assert [f.path for f in sketch.files] == ["robot.ino", "a_helpers.ino", "motor.h"]


def test_sketch_without_ino_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no \.ino file"):
        Sketch.from_code_content({"files": [{"path": "lib.cpp", "content": ""}]})
    with pytest.raises(UsageError, match="no sketch"):
        Sketch.from_path(tmp_path / "missing")

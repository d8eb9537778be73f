"""Validation errors name the field path, the rule and the offending value, so a model can fix its output."""

from __future__ import annotations

from ohm_desktop.artifacts import validate_content


def test_bom_errors_have_path_reason_and_value() -> None:
    result = validate_content("bom", {"projectName": "", "parts": [{"name": "LED", "quantity": 0}, {"quantity": "two"}]})
    assert not result.ok
    assert result.errors == (
        'content.projectName: String should have at least 1 character (got "")',
        "content.parts.0.quantity: Input should be greater than 0 (got 0)",
        "content.parts.1.name: Field required",
        'content.parts.1.quantity: Input should be a valid integer, unable to parse string as an integer (got "two")',
    )


def test_code_paths_and_wiring_endpoints_are_checked() -> None:
    code = validate_content("code", {"files": [{"path": "../../x.ino", "content": ""}]})
    assert code.errors and code.errors[0].startswith("content.files.0.path: ") and '(got "../../x.ino")' in code.errors[0]
    wiring = validate_content("wiring", {"connections": [{"from": "U1.D9"}]})
    assert wiring.errors == ("content.connections.0.to: Field required",)
    assert validate_content("wiring", {"connections": []}).errors[0].startswith("content.connections: List should have")


def test_valid_content_and_extra_fields_pass_unknown_types_do_not() -> None:
    assert validate_content("bom", {"projectName": "p", "parts": [], "currency": "EUR"}).ok
    assert validate_content("schematic", {}).errors == ("artifact_type: must be one of bom, code, wiring, got 'schematic'",)
    assert validate_content("bom", "not an object").errors == ("content: must be a JSON object, got str",)

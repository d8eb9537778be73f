"""Just enough of the C preprocessor to read an Arduino ``pins_arduino.h``.

The variant headers say what each pin can do as macros (``digitalPinHasPWM(p)``,
``digitalPinToInterrupt(p)``, ``PIN_WIRE_SDA``...). Reading them, rather than copying tables,
keeps the checker in step with the core that compiles the sketch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+[uUlL]*|[A-Za-z_]\w*|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:()])")
_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)\s*(.*)$")


@dataclass
class Macros:
    """Object-like and function-like macros seen so far (``name`` → (params, body))."""

    defined: dict[str, tuple[tuple[str, ...] | None, str]] = field(default_factory=dict)

    def value(self, name: str, *args: int) -> int | None:
        """Evaluate macro ``name`` (called with ``args``); None when it is not defined or not a number."""
        if name not in self.defined:
            return None
        params, body = self.defined[name]
        bindings = dict(zip(params or (), (str(a) for a in args), strict=False))
        try:
            return evaluate(body, self, bindings)
        except (ValueError, IndexError, ZeroDivisionError):
            return None


def read_header(path: Path, macros: Macros, predefined: frozenset[str], depth: int = 0) -> Macros:
    """Run ``#define/#undef/#if*/#include "..."`` of ``path`` into ``macros`` (system includes skipped)."""
    text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    active: list[bool] = []  # one entry per open #if: is this branch taken?
    taken: list[bool] = []  # has any branch of this #if been taken?
    for raw in text.splitlines():
        match = _DIRECTIVE.match(raw.split("//", 1)[0])
        if not match:
            continue
        word, rest = match.group(1), match.group(2).strip()
        live = all(active)
        if word in {"if", "ifdef", "ifndef"}:
            condition = live and _condition(word, rest, macros, predefined)
            active.append(condition)
            taken.append(condition)
        elif word == "elif" and active:
            condition = all(active[:-1]) and not taken[-1] and _condition("if", rest, macros, predefined)
            active[-1] = condition
            taken[-1] = taken[-1] or condition
        elif word == "else" and active:
            active[-1] = all(active[:-1]) and not taken[-1]
            taken[-1] = True
        elif word == "endif" and active:
            active.pop()
            taken.pop()
        elif not live:
            continue
        elif word == "define":
            _define(rest, macros)
        elif word == "undef":
            macros.defined.pop(rest.split()[0] if rest else "", None)
        elif word == "include" and rest.startswith('"') and depth < 4:
            included = (path.parent / rest.strip('"')).resolve()
            if included.is_file():
                read_header(included, macros, predefined, depth + 1)
    return macros


def _define(rest: str, macros: Macros) -> None:
    match = re.match(r"(\w+)(\(([^)]*)\))?\s*(.*)$", rest)
    if not match:
        return
    params = tuple(p.strip() for p in match.group(3).split(",")) if match.group(2) else None
    macros.defined[match.group(1)] = (params, match.group(4).strip())


def _condition(word: str, rest: str, macros: Macros, predefined: frozenset[str]) -> bool:
    def is_defined(name: str) -> bool:
        return name in macros.defined or name in predefined

    name = rest.split()[0] if rest.split() else ""
    if word == "ifdef":
        return is_defined(name)
    if word == "ifndef":
        return not is_defined(name)
    expression = re.sub(r"defined\s*\(?\s*(\w+)\s*\)?", lambda m: "1" if is_defined(m.group(1)) else "0", rest)
    try:
        return evaluate(expression, macros, {}) != 0
    except (ValueError, IndexError, ZeroDivisionError):
        return False


def evaluate(expression: str, macros: Macros, bindings: dict[str, str], depth: int = 0) -> int:
    """Evaluate a C integer expression (ternary, logic, comparisons, arithmetic) with macros expanded."""
    tokens = _tokens(expression, macros, bindings, depth)
    parser = _Parser(tokens)
    value = parser.ternary()
    if parser.position != len(tokens):
        raise ValueError(f"unexpected {tokens[parser.position]!r} in {expression!r}")
    return value


def _tokens(expression: str, macros: Macros, bindings: dict[str, str], depth: int) -> list[str]:
    if depth > 8:
        raise ValueError("macro expansion too deep")
    tokens: list[str] = []
    position = 0
    raw = [m.group(1) for m in _TOKEN.finditer(expression)]
    while position < len(raw):
        token = raw[position]
        position += 1
        if token in bindings:
            tokens.extend(["(", *_tokens(bindings[token], macros, {}, depth + 1), ")"])
        elif token in {"NOT_AN_INTERRUPT", "NOT_A_PIN"}:
            tokens.append("-1")
        elif re.fullmatch(r"[A-Za-z_]\w*", token) and token in macros.defined:
            params, body = macros.defined[token]
            if params is None:
                tokens.extend(["(", *_tokens(body, macros, {}, depth + 1), ")"])
                continue
            args, position = _call_args(raw, position)
            inner = dict(zip(params, args, strict=False))
            tokens.extend(["(", *_tokens(body, macros, inner, depth + 1), ")"])
        elif re.fullmatch(r"[A-Za-z_]\w*", token):
            tokens.append("0")  # C: an unknown identifier in #if is 0
        else:
            tokens.append(token)
    return tokens


def _call_args(raw: list[str], position: int) -> tuple[list[str], int]:
    if position >= len(raw) or raw[position] != "(":
        raise ValueError("function-like macro used without arguments")
    depth = 0
    args: list[str] = []
    current: list[str] = []
    for index in range(position, len(raw)):
        token = raw[index]
        if token == "(":
            depth += 1
            if depth == 1:
                continue
        elif token == ")":
            depth -= 1
            if depth == 0:
                args.append(" ".join(current))
                return args, index + 1
        elif token == "," and depth == 1:
            args.append(" ".join(current))
            current = []
            continue
        current.append(token)
    raise ValueError("unbalanced macro call")


class _Parser:
    """Recursive descent over C's precedence levels (only what the variant headers use)."""

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"),
                                            ("*", "/", "%"))

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def ternary(self) -> int:
        condition = self.binary(0)
        if self.peek() != "?":
            return condition
        self.take()
        yes = self.ternary()
        if self.take() != ":":
            raise ValueError("ternary without ':'")
        no = self.ternary()
        return yes if condition else no

    def binary(self, level: int) -> int:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            operator = self.take()
            right = self.binary(level + 1)
            left = _apply(operator, left, right)
        return left

    def unary(self) -> int:
        token = self.take()
        if token == "!":
            return int(not self.unary())
        if token == "-":
            return -self.unary()
        if token == "+":
            return self.unary()
        if token == "(":
            value = self.ternary()
            if self.take() != ")":
                raise ValueError("missing ')'")
            return value
        return int(token.rstrip("uUlL"), 0)


def _apply(operator: str, left: int, right: int) -> int:
    results = {
        "||": lambda: int(bool(left) or bool(right)),
        "&&": lambda: int(bool(left) and bool(right)),
        "==": lambda: int(left == right),
        "!=": lambda: int(left != right),
        "<": lambda: int(left < right),
        "<=": lambda: int(left <= right),
        ">": lambda: int(left > right),
        ">=": lambda: int(left >= right),
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: int(left / right),
        "%": lambda: left % right,
    }
    return results[operator]()

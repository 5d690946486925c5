"""Every Redis key a Lua script touches is given in KEYS; docs/scaling.md names those spanning hash slots.

Redis may run a script only where all its keys live, and learns them from KEYS alone: a key the script
builds (from ARGV, from a value it read) escapes that, and Redis Cluster refuses or misroutes the script.
The scripts are found by importing the modules that hold them, and read statically.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.crc import key_slot

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("newsdesk", "tasks", "crawler", "index", "webarchive")
SCALING_DOC = ROOT / "docs" / "scaling.md"
DOC_SECTION = "## Redis Cluster readiness"
REDIS_CALL = re.compile(r"\bredis\.p?call\b")

# Which arguments (after the command name) are keys. A command missing here fails the test: add it with
# its key positions, as `COMMAND INFO` gives them.
FIRST_ONLY = {
    "APPEND", "DECR", "DECRBY", "EXPIRE", "EXPIREAT", "GET", "GETDEL", "GETSET", "HDEL", "HEXISTS",
    "HGET", "HGETALL", "HINCRBY", "HINCRBYFLOAT", "HKEYS", "HLEN", "HMGET", "HMSET", "HSET", "HSETNX",
    "HVALS", "INCR", "INCRBY", "LINDEX", "LLEN", "LPOP", "LPUSH", "LRANGE", "LREM", "LSET", "LTRIM",
    "PERSIST", "PEXPIRE", "PEXPIREAT", "PTTL", "RPOP", "RPUSH", "SADD", "SCARD", "SET", "SETEX", "SETNX",
    "SISMEMBER", "SMEMBERS", "SREM", "TTL", "TYPE", "ZADD", "ZCARD", "ZCOUNT", "ZINCRBY", "ZRANGE",
    "ZRANGEBYSCORE", "ZRANK", "ZREM", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREVRANGE", "ZSCORE",
}  # fmt: skip
EVERY_ARGUMENT = {"DEL", "EXISTS", "MGET", "TOUCH", "UNLINK"}
FIRST_TWO = {"COPY", "LMOVE", "RENAME", "RENAMENX", "RPOPLPUSH", "SMOVE"}
NO_KEY = {"ECHO", "PING", "TIME"}

# --- a small Lua reader: tokens, expressions, assignments ----------------------------------------------

KEYWORDS = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}  # fmt: skip
TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<comment>--\[(?P<ceq>=*)\[.*?\](?P=ceq)\]|--[^\n]*)
    |(?P<long>\[(?P<leq>=*)\[.*?\](?P=leq)\])
    |(?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
    |(?P<number>0[xX][0-9a-fA-F.]+(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<name>[A-Za-z_]\w*)
    |(?P<op>\.\.\.|\.\.|==|~=|<=|>=|::|[-+*/%^#<>=(){}\[\];:,.])""",
    re.VERBOSE | re.DOTALL,
)
BINARY = {"+", "-", "*", "/", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and", "or"}
UNARY = {"-", "not", "#"}


def tokenize(script: str) -> list[tuple[str, str]]:
    """(kind, text) of every token: name, keyword, string, number or op; comments and space dropped."""
    tokens, at = [], 0
    while at < len(script):
        match = TOKEN.match(script, at)
        if match is None:
            raise ValueError(f"cannot read Lua at {script[at : at + 30]!r}")
        kind = next(k for k in ("space", "comment", "long", "string", "number", "name", "op") if match[k])
        text = match.group(0)
        if kind == "long":
            kind = "string"
        if kind == "name" and text in KEYWORDS:
            kind = "keyword"
        if kind not in ("space", "comment"):
            tokens.append((kind, text))
        at = match.end()
    return tokens


class Reader:
    """Finds where a Lua expression ends (the grammar of Lua 5.1, the one Redis embeds)."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens

    def text(self, at: int) -> str:
        return self.tokens[at][1] if 0 <= at < len(self.tokens) else ""

    def closing(self, at: int) -> int:
        """The index after the bracket that closes the one at `at`."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        opening, depth = self.text(at), 0
        for index in range(at, len(self.tokens)):
            if self.tokens[index][0] != "op":
                continue
            if self.text(index) == opening:
                depth += 1
            elif self.text(index) == pairs[opening]:
                depth -= 1
                if depth == 0:
                    return index + 1
        raise ValueError(f"unbalanced {opening!r}")

    def function_end(self, at: int) -> int:
        """The index after the `end` of the function whose `function` keyword is at `at`."""
        depth = 0
        for index in range(at, len(self.tokens)):
            kind, text = self.tokens[index]
            if kind == "keyword" and text in ("function", "if", "do"):
                depth += 1
            elif kind == "keyword" and text == "end":
                depth -= 1
                if depth == 0:
                    return index + 1
        raise ValueError("function without end")

    def expression(self, at: int) -> int:
        """The index after the expression starting at `at`."""
        while self.text(at) in UNARY:
            at += 1
        at = self.simple(at)
        while self.text(at) in BINARY:
            at = self.expression(at + 1)
        return at

    def simple(self, at: int) -> int:
        kind, text = self.tokens[at]
        if kind in ("number", "string") or text in ("nil", "true", "false", "..."):
            return at + 1
        if text == "function":
            return self.function_end(at)
        if text == "{":
            return self.closing(at)
        if kind == "name":
            at += 1
        elif text == "(":
            at = self.closing(at)
        else:
            raise ValueError(f"no expression at {text!r}")
        while True:  # suffixes: .field, :method, [index], (arguments), {table} or "string" arguments
            following = self.text(at)
            if following in (".", ":"):
                at += 2
            elif following in ("[", "(", "{"):
                at = self.closing(at)
            elif at < len(self.tokens) and self.tokens[at][0] == "string":
                at += 1
            else:
                return at

    def expressions(self, at: int) -> list[tuple[int, int]]:
        """The (start, end) of each expression of a comma-separated list starting at `at`."""
        spans = []
        while True:
            end = self.expression(at)
            spans.append((at, end))
            if self.text(end) != ",":
                return spans
            at = end + 1

    def names(self, at: int) -> tuple[list[str], int]:
        """A comma-separated list of names starting at `at`, and the index after it."""
        names = [self.text(at)]
        while self.text(at + 1) == "," and self.tokens[at + 2][0] == "name":
            at += 2
            names.append(self.text(at))
        return names, at + 1


def is_keys_index(tokens: list[tuple[str, str]]) -> bool:
    """`KEYS[...]`, the whole expression."""
    if len(tokens) < 4 or tokens[0] != ("name", "KEYS") or tokens[1][1] != "[":
        return False
    return Reader(tokens).closing(1) == len(tokens)


def is_keys_table(tokens: list[tuple[str, str]]) -> bool:
    """`{KEYS[a], KEYS[b], ...}`: a table of given keys only."""
    if len(tokens) < 3 or tokens[0][1] != "{" or Reader(tokens).closing(0) != len(tokens):
        return False
    inner = Reader(tokens[1:-1])
    return all(is_keys_index(inner.tokens[start:end]) for start, end in inner.expressions(0))


class Scopes:
    """Lua's block scopes, walked in order: which variable a name means at each point, and every value each
    variable is given. A value is "key" (a KEYS element), ("alias", variable) or "other"."""

    def __init__(self) -> None:
        self.stack: list[dict[str, int]] = [{}]
        self.values: dict[int, list[Any]] = {}
        self.globals: dict[str, int] = {}

    def declare(self, name: str, value: Any) -> None:
        variable = len(self.values)
        self.values[variable] = [value]
        self.stack[-1][name] = variable

    def resolve(self, name: str) -> int:
        for scope in reversed(self.stack):
            if name in scope:
                return scope[name]
        if name not in self.globals:
            self.globals[name] = len(self.values)
            self.values[self.globals[name]] = []
        return self.globals[name]

    def value_of(self, tokens: list[tuple[str, str]]) -> Any:
        if is_keys_index(tokens):
            return "key"
        if len(tokens) == 1 and tokens[0][0] == "name":
            return ("alias", self.resolve(tokens[0][1]))
        return "other"

    def given(self, variable: int, seen: frozenset[int] = frozenset()) -> bool:
        """Every value the variable is ever given is a key from KEYS (an unassigned global is not)."""
        values = self.values[variable]
        return bool(values) and all(
            value == "key"
            or (value != "other" and value[1] not in seen and self.given(value[1], seen | {variable}))
            for value in values
        )


def undeclared_keys(script: str) -> list[str]:
    """Each key argument of a redis.call/pcall that is not a key from KEYS, and every call this check cannot
    read, as `COMMAND: argument`."""
    tokens = tokenize(script)
    reader = Reader(tokens)
    scopes = Scopes()
    problems: list[str] = []
    deferred: list[tuple[int, list[str], list[Any]]] = []  # `local` names, declared once past their values
    loop_variables: list[tuple[str, Any]] = []  # a `for`'s names, declared in the block its `do` opens
    tables = 0  # depth of table constructors: `name = value` inside one is a field, not an assignment

    def key_given(argument: list[tuple[str, str]]) -> bool:
        value = scopes.value_of(argument)
        return value == "key" or (value != "other" and scopes.given(value[1]))

    for at, (kind, text) in enumerate(tokens):
        for entry in [entry for entry in deferred if entry[0] <= at]:
            deferred.remove(entry)
            for name, value in zip(entry[1], entry[2], strict=True):
                scopes.declare(name, value)
        if kind == "op" and text in ("{", "}"):
            tables += 1 if text == "{" else -1
        if kind == "keyword":
            if text in ("do", "then", "repeat", "else"):
                if text == "else":
                    scopes.stack.pop()
                scopes.stack.append({})
                for name, value in loop_variables if text == "do" else []:
                    scopes.declare(name, value)
                loop_variables = [] if text == "do" else loop_variables
            elif text in ("end", "until", "elseif"):
                scopes.stack.pop()
            elif text == "function":
                opening = next(i for i in range(at, len(tokens)) if tokens[i][1] == "(")
                if reader.text(at - 1) == "local":
                    scopes.declare(reader.text(at + 1), "other")
                elif opening == at + 2:
                    scopes.values[scopes.resolve(reader.text(at + 1))].append("other")
                scopes.stack.append({})
                for index in range(opening + 1, reader.closing(opening) - 1):
                    if tokens[index][0] == "name":
                        scopes.declare(tokens[index][1], "other")
            elif text == "for":
                names, after = reader.names(at + 1)
                values: list[Any] = ["other"] * len(names)
                if reader.text(after) == "in":
                    # `for _, key in ipairs({KEYS[1], KEYS[2]})` or `ipairs(KEYS)`: the value is a given key.
                    spans = reader.expressions(after + 1)
                    iterated = tokens[spans[0][0] : spans[0][1]]
                    argument = iterated[2:-1]
                    if (
                        len(spans) == 1
                        and len(names) == 2
                        and iterated[:2] == [("name", "ipairs"), ("op", "(")]
                        and (is_keys_table(argument) or argument == [("name", "KEYS")])
                    ):
                        values[1] = "key"
                loop_variables = list(zip(names, values, strict=True))
            elif text == "local" and tokens[at + 1][0] == "name":
                names, after = reader.names(at + 1)
                if reader.text(after) == "=":
                    spans = reader.expressions(after + 1)
                    values = [
                        scopes.value_of(tokens[slice(*spans[i])]) if i < len(spans) else "other"
                        for i in range(len(names))
                    ]
                    deferred.append((spans[-1][1], names, values))
                else:
                    deferred.append((after, names, ["other"] * len(names)))
        if kind == "op" and text == "=" and tables == 0:
            index, names = at - 1, []
            while tokens[index][0] == "name" and reader.text(index - 1) not in (".", ":"):
                names.insert(0, tokens[index][1])
                if reader.text(index - 1) != ",":
                    break
                index -= 2
            if names and reader.text(index - 1) not in ("local", "for"):
                spans = reader.expressions(at + 1)
                for i, name in enumerate(names):
                    value = scopes.value_of(tokens[slice(*spans[i])]) if i < len(spans) else "other"
                    scopes.values[scopes.resolve(name)].append(value)
        if (
            (kind, text) != ("name", "redis")
            or reader.text(at + 1) != "."
            or reader.text(at + 2) not in ("call", "pcall")
        ):
            continue
        if reader.text(at + 3) != "(":
            problems.append(f"redis.{reader.text(at + 2)} used other than by a direct call")
            continue
        arguments = [tokens[start:end] for start, end in reader.expressions(at + 4)]
        if len(arguments[0]) != 1 or arguments[0][0][0] != "string":
            problems.append("a command that is not a literal name")
            continue
        command, rest = arguments[0][0][1].strip("'\"").upper(), arguments[1:]
        if command in NO_KEY:
            keys = []
        elif command in FIRST_ONLY:
            keys = rest[:1]
        elif command in FIRST_TWO:
            keys = rest[:2]
        elif command in EVERY_ARGUMENT:
            keys = rest
        else:
            problems.append(f"{command}: its key positions are unknown to this test")
            continue
        problems += [f"{command}: {' '.join(t for _, t in key)}" for key in keys if not key_given(key)]
    if scopes.values[scopes.resolve("KEYS")]:
        problems.insert(0, "KEYS itself is assigned")
    return problems


# --- the scripts, found by importing their modules -----------------------------------------------------


def script_modules() -> Iterator[tuple[str, Path]]:
    """(module name, file) of every source file that calls into Redis from Lua."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if REDIS_CALL.search(path.read_text(encoding="utf-8")):
                parts = path.relative_to(ROOT).with_suffix("").parts
                yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def lua_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.lua"))


def discovered_scripts() -> dict[str, str]:
    """`module:NAME` → the script, for each module-level string that calls into Redis; each .lua file."""
    scripts = {}
    for module_name, _ in script_modules():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, str) and REDIS_CALL.search(value):
                scripts[f"{module_name}:{name}"] = value
    for path in lua_files():
        scripts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return scripts


SCRIPTS = discovered_scripts()


def test_the_scripts_are_found_where_they_are_written() -> None:
    assert SCRIPTS, "no script found: the search is broken"
    for module_name, path in script_modules():
        in_source = len(REDIS_CALL.findall(path.read_text(encoding="utf-8")))
        found = sum(
            len(REDIS_CALL.findall(text))
            for name, text in SCRIPTS.items()
            if name.startswith(f"{module_name}:")
        )
        # Fewer found than written: a script built inside a function, out of this test's sight.
        assert found == in_source, f"{path}: {in_source} redis.call in the source, {found} in its scripts"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_every_key_a_script_touches_is_given_in_keys(name: str) -> None:
    assert undeclared_keys(SCRIPTS[name]) == []


@pytest.mark.parametrize(
    ("script", "reported"),
    [
        ("return redis.call('GET', 'newsdesk:' .. ARGV[1])", ["GET: 'newsdesk:' .. ARGV [ 1 ]"]),
        ("local key = ARGV[1]\nreturn redis.call('DEL', KEYS[1], key)", ["DEL: key"]),
        ("local key = KEYS[1]\nkey = key .. ':x'\nreturn redis.call('GET', key)", ["GET: key"]),
        (
            "for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', key) end",
            ["DEL: key"],
        ),
        ("local function f(key) return redis.call('GET', key) end\nreturn f(KEYS[1])", ["GET: key"]),
        ("return redis.call('RPOPLPUSH', KEYS[1], ARGV[1])", ["RPOPLPUSH: ARGV [ 1 ]"]),
        ("return redis.call('GET', undefined)", ["GET: undefined"]),
        (
            "local call = redis.call\nreturn call('GET', ARGV[1])",
            ["redis.call used other than by a direct call"],
        ),
        ("return redis.call(ARGV[1], KEYS[1])", ["a command that is not a literal name"]),
        (
            "return redis.call('OBJECT', 'ENCODING', KEYS[1])",
            ["OBJECT: its key positions are unknown to this test"],
        ),
        ("KEYS = {ARGV[1]}\nreturn redis.call('GET', KEYS[1])", ["KEYS itself is assigned"]),
    ],
)
def test_a_key_the_script_makes_itself_is_reported(script: str, reported: list[str]) -> None:
    assert undeclared_keys(script) == reported


def test_keys_passed_around_inside_a_script_stay_given() -> None:
    script = """
    local a, b = KEYS[1], KEYS[2] -- a comment: redis.call('GET', 'x') is not a call
    local t = {first = ARGV[1]}
    for i = 3, #KEYS do local key = KEYS[i]; redis.call('LPUSH', a, redis.call('RPOP', key)) end
    for _, key in ipairs({KEYS[1], KEYS[2]}) do redis.call('HGET', key, ARGV[1]) end
    for _, each in ipairs(KEYS) do redis.call('DEL', each) end
    local copy = b
    redis.call('HSET', copy, t.first, [[a long string]])
    return {redis.call('TIME'), redis.pcall('RPOPLPUSH', KEYS[1], KEYS[2])}
    """
    assert undeclared_keys(script) == []


# --- the keys the callers pass, and their hash slots ---------------------------------------------------


class RecordingClient:
    """Stands in for redis.Redis: records each script call's keys, answers the few reads the callers make."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, list[str]]] = []

    def register_script(self, script: str) -> Callable[..., Any]:
        def call(keys: list[str] = (), args: list[Any] = (), client: Any = None) -> Any:
            self.calls.append((script, [str(key) for key in keys]))
            answer = self.answers.get(script, 1)
            if isinstance(client, RecordingPipeline):
                client.results.append(answer)
            return answer

        return call

    def pipeline(self, transaction: bool = True) -> RecordingPipeline:
        return RecordingPipeline()

    def zrangebyscore(self, key: str, low: Any, high: Any) -> list[str]:
        return [f"{key}:5f0c9e1a"]

    def lrange(self, key: str, start: int, stop: int) -> list[str]:
        return ['{"body": "a message"}']


class RecordingPipeline:
    """A pipeline of script calls: answers them all at once, as redis-py's does."""

    def __init__(self) -> None:
        self.results: list[Any] = []

    def execute(self) -> list[Any]:
        return self.results


def recorded_calls() -> list[tuple[str, list[str]]]:
    """Every store that runs a script, driven through each method that runs one, with default names."""
    from newsdesk.state import claims
    from newsdesk.state.claims import ContentClaims
    from newsdesk.state.locks import CrawlLocks
    from newsdesk.state.metrics import Metrics
    from newsdesk.state.reliable import index_buffer
    from newsdesk.state.reliable.broker import StrandedDeliveries
    from newsdesk.state.reliable.index_buffer import IndexBuffer
    from newsdesk.state.runs import RunStore
    from tasks.dedupe.similarity import content_key

    doc = "9f" * 20
    client = RecordingClient({claims._CLAIM_CONTENT: f"new {doc}", index_buffer._TAKE_BATCH: []})
    buffer = IndexBuffer(client)
    buffer.take(200)
    buffer.recover_stale()
    Metrics(client).record_stages([("parse", "succeeded", 12), ("index", "succeeded", 3)])
    locks = CrawlLocks(client)
    locks.extend("example", "token")
    locks.release("example", "token")
    runs = RunStore(client)
    runs.record_outcome("20240619T120000-1a2b3c4d", "https://example.org/a", "new")
    runs.count_sent_once("20240619T120000-1a2b3c4d", "https://example.org/a")
    runs.record_crawl_progress("20240619T120000-1a2b3c4d", {"pages": 3})
    content = ContentClaims(client, "newsdesk", 7 * 24 * 3600)
    key = content_key(" ".join(f"word{n}" for n in range(200)), "2024-06-19")
    content.claim(doc, key.fingerprint, key.signature, key.bands, key.day, 0.5, 3)
    content.settle([doc])
    content.forget_settled()
    StrandedDeliveries(client, "newsdesk", grace_seconds=0).sweep()
    return client.calls


def slots_per_script() -> dict[str, tuple[int, int]]:
    """`module:NAME` → (most keys in one call, most hash slots those keys fall in)."""
    names = {text: name for name, text in SCRIPTS.items()}
    seen: dict[str, tuple[int, int]] = {}
    for script, keys in recorded_calls():
        slots = len({key_slot(key.encode()) for key in keys})
        before = seen.get(names[script], (0, 0))
        seen[names[script]] = (max(before[0], len(keys)), max(before[1], slots))
    return seen


def doc_section() -> str:
    text = SCALING_DOC.read_text(encoding="utf-8")
    assert DOC_SECTION in text, f"{SCALING_DOC} has no section {DOC_SECTION!r}"
    section = text.split(DOC_SECTION, 1)[1]
    return re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]


def test_every_script_is_run_by_a_caller_this_test_drives() -> None:
    assert set(slots_per_script()) == set(SCRIPTS)


def test_the_doc_names_exactly_the_scripts_whose_keys_span_hash_slots() -> None:
    spanning = {name for name, (_, slots) in slots_per_script().items() if slots > 1}
    named = set(re.findall(r"^\| `([\w.]+:_[A-Z_]+)`", doc_section(), flags=re.MULTILINE))

    assert spanning, "every multi-key script shares a hash tag now: update the doc's section"
    assert named == spanning

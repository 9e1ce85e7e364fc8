"""Compiling rule sources: errors name the file and line, rules are listed with meta."""

from __future__ import annotations

import pytest

from phishloop.core.errors import ConfigError
from phishloop.core.scan import (
    SHIPPED_NAMESPACE,
    CompiledRules,
    RuleSource,
    YaraRulesError,
    compile_rules,
    shipped_sources,
)

GOOD = 'rule Good : tag1 { meta: signal = "malware" weight = 5 strings: $a = "abc" condition: $a }'


def test_rules_are_listed_with_namespace_tags_and_meta() -> None:
    compiled = compile_rules([RuleSource("mine", "/rules/mine.yar", GOOD)])
    [info] = compiled.rules
    assert (info.namespace, info.name, info.tags) == ("mine", "Good", ("tag1",))
    assert dict(info.meta) == {"signal": "malware", "weight": "5"}


def test_syntax_error_names_the_file_and_its_own_line() -> None:
    bad = '// my rules\n\nrule Bad { strings: $a = "x" condition: $b }\n'
    sources = [
        RuleSource("first", "/etc/phishloop/yara/first.yar", GOOD),
        RuleSource("second", "/etc/phishloop/yara/second.yar", bad),
    ]
    with pytest.raises(YaraRulesError) as raised:
        compile_rules(sources)
    assert str(raised.value).startswith("/etc/phishloop/yara/second.yar line 3: ")
    assert 'undefined string "$b"' in str(raised.value)
    assert isinstance(raised.value, ConfigError)


def test_error_in_a_later_file_of_a_shared_namespace_gets_that_files_line() -> None:
    first = GOOD + "\n\n\n"
    second = "\nrule Good { condition: true }\n"  # duplicate of the first file's rule
    with pytest.raises(YaraRulesError, match=r"^b\.yar line 2: duplicated identifier"):
        compile_rules([RuleSource("ns", "a.yar", first), RuleSource("ns", "b.yar", second)])


def test_every_broken_file_is_reported() -> None:
    sources = [RuleSource(n, f"{n}.yar", "rule x { condition: nope }") for n in ("a", "b")]
    with pytest.raises(YaraRulesError) as raised:
        compile_rules(sources)
    assert str(raised.value).splitlines()[0].startswith("a.yar line 1: ")
    assert str(raised.value).splitlines()[1].startswith("b.yar line 1: ")


def test_includes_are_refused() -> None:
    with pytest.raises(YaraRulesError, match="includes are disabled"):
        compile_rules([RuleSource("x", "x.yar", 'include "/etc/passwd"\n' + GOOD)])


def test_nul_character_is_an_error_not_a_crash() -> None:
    with pytest.raises(YaraRulesError, match=r"^x\.yar: "):
        compile_rules([RuleSource("x", "x.yar", GOOD + "\x00")])


def test_phishloop_variables_are_declared() -> None:
    text = (
        'rule Vars { condition: target == "attachment" and filename endswith ".html"'
        ' and extension == ".html" and filepath contains "/" and filetype == "" }'
    )
    assert compile_rules([RuleSource("v", "v.yar", text)]).rules[0].name == "Vars"


def test_performance_warnings_are_kept_with_file_and_line() -> None:
    slow = "rule Slow { strings: $a = /a.*b/ condition: $a }"
    compiled = compile_rules([RuleSource("s", "slow.yar", slow)])
    assert compiled.warnings and compiled.warnings[0].startswith("slow.yar line 1: ")


def test_shipped_pack_compiles_cleanly_with_complete_meta(shipped: CompiledRules) -> None:
    assert len(shipped.rules) >= 15
    assert shipped.warnings == ()
    assert {info.namespace for info in shipped.rules} == {SHIPPED_NAMESPACE}
    for info in shipped.rules:
        meta = dict(info.meta)
        assert {"description", "signal", "weight", "author", "reference"} <= set(meta), info.name
        assert meta["author"] == "phishloop"
        assert 0 < float(meta["weight"]) <= 8


def test_shipped_sources_are_package_data() -> None:
    sources = shipped_sources()
    assert sources and all(s.origin.startswith("phishloop:") for s in sources)
    assert all(s.origin.endswith(".yar") for s in sources)

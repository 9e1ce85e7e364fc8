"""Clustering similarity with reasons, and the decision policy (pure core logic)."""

from __future__ import annotations

import dataclasses

import pytest

from phishloop.core.cluster import best_match, compare, fingerprint_from_dict, index_keys
from phishloop.core.enrich.feedback import feedback_indicators
from phishloop.core.errors import ConfigError
from phishloop.core.extract.fingerprint import compute_fingerprint
from phishloop.core.model import Fingerprint, Indicator, MessageInfo
from phishloop.core.policy import MessageVerdict, Policy, decide
from phishloop.core.serialize import to_jsonable

TEXT = (
    "Dear {name}, we detected unusual sign-in activity on your mailbox and it will be "
    "suspended within 24 hours unless you confirm your account ownership. Please verify your "
    "password immediately using the secure portal below to avoid losing access to your email "
    "and your shared documents. Reference {ref}. The IT Service Desk team."
)


def fingerprint(body: str, *, sender: str = "support@verify-mail.example") -> Fingerprint:
    info = MessageInfo(subject="Verify your mailbox", from_=None)  # type: ignore[call-arg]
    fp = compute_fingerprint(raw=body.encode(), message=info, body_text=body, html="", urls=(),
                             attachments=(), origin_ip=None, origin_host=None)  # fmt: skip
    return dataclasses.replace(fp, sender_domain=sender.rpartition("@")[2])


def test_copies_of_one_campaign_join_and_say_why() -> None:
    alice = fingerprint(TEXT.format(name="Alice", ref="48213"))
    bob = fingerprint(TEXT.format(name="Bob", ref="99120").replace("immediately", "today"))
    match = compare(alice, bob)
    assert match.joins()
    assert "TLSH distance" in match.explain()
    assert "same sender domain verify-mail.example" in match.explain()


def test_a_shared_sender_domain_and_subject_alone_never_join() -> None:
    first = fingerprint(TEXT.format(name="Alice", ref="1"), sender="a@webmail.example")
    other = fingerprint("Lunch on Friday? The usual place at noon, bring the slides please.",
                        sender="b@webmail.example")  # fmt: skip
    match = compare(first, other)
    assert not match.joins() and not match.content_agrees
    assert match.reasons == ("same subject 'verify your mailbox'",
                             "same sender domain webmail.example")  # fmt: skip


def test_best_match_picks_the_closest_candidate_or_none() -> None:
    new = fingerprint(TEXT.format(name="Carol", ref="7"))
    unrelated = fingerprint("Minutes of the budget meeting are attached for your review.")
    sibling = fingerprint(TEXT.format(name="Dave", ref="8"))
    found = best_match(new, [("unrelated", unrelated), ("sibling", sibling)])
    assert found is not None and found[0] == "sibling"
    assert best_match(new, [("unrelated", unrelated)]) is None


def test_fingerprints_survive_json_and_give_index_keys() -> None:
    original = fingerprint(TEXT.format(name="Eve", ref="3"))
    restored = fingerprint_from_dict(to_jsonable(original))
    assert restored == original
    keys = index_keys(original)
    assert "sender:verify-mail.example" in keys and any(k.startswith("body:") for k in keys)
    assert fingerprint_from_dict(None) == fingerprint_from_dict({"url_domains": "oops"})


def verdict(message: int, category: str, confidence: float) -> MessageVerdict:
    return MessageVerdict(message, category, confidence)


def test_the_most_severe_verdict_decides_and_the_threshold_resolves() -> None:
    policy = Policy()
    decision = decide([verdict(1, "clean", 0.99), verdict(2, "malicious", 0.95)], policy)
    assert (decision.category, decision.resolved, decision.basis) == (
        "malicious", True, verdict(2, "malicious", 0.95))  # fmt: skip
    assert "≥ threshold 0.90" in decision.explanation
    assert not decide([verdict(1, "malicious", 0.6)], policy).resolved
    assert not decide([verdict(1, "suspicious", 1.0)], policy).resolved
    assert decide([], policy).category == ""


def test_policy_table_is_validated_with_clear_errors() -> None:
    policy = Policy.from_mapping({"auto_resolve": {"malicious": 0.8}})
    assert policy.threshold("malicious") == 0.8 and policy.threshold("spam") is None
    bad = [
        ({"auto_resolve": {"suspicious": 0.9}}, "never resolves"),
        ({"auto_resolve": {"phish": 0.9}}, "unknown category"),
        ({"auto_resolve": {"spam": 1.5}}, "at most 1"),
        ({"auto_resolve": {"spam": True}}, "must be a number"),
        ({"auto_resolv": {}}, "unknown key policy.auto_resolv"),
    ]
    for table, message in bad:
        with pytest.raises(ConfigError, match=message):
            Policy.from_mapping(table, where="org.toml")
    with pytest.raises(ConfigError, match=r"org\.toml"):
        Policy.from_mapping({"auto_resolve": []}, where="org.toml")


def test_only_attacker_specific_indicators_become_intel() -> None:
    found = feedback_indicators(
        [Indicator("domain", "microsoft.com"), Indicator("domain", "gmail.com"),
         Indicator("domain", "evil-login.example"), Indicator("email", "ceo@corp.example"),
         Indicator("url", "https://corp.example/x"), Indicator("ip", "10.1.2.3"),
         Indicator("url", "https://evil-login.example/a"), Indicator("sha256", "ab" * 32)],
        trusted_domains=["corp.example"],
    )  # fmt: skip
    assert [i.value for i in found] == [
        "evil-login.example", "https://evil-login.example/a", "ab" * 32]  # fmt: skip

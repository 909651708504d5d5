"""The catalog data validator: every template renders for every platform it claims, every slot has an
extractor, every required slot is asked for by every phrasing, and no two intents claim one phrasing."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest

from caro.catalog import store
from caro.catalog.entities import Entity
from caro.catalog.matcher import Candidate, render, template_for
from caro.catalog.slots import SLOT_GROUPS, has_type, slot_type
from caro.context import Context

CATALOG = store.compile_catalog()
INTENTS = CATALOG.intents
DOMAINS = {
    "files",
    "text",
    "archives",
    "disk",
    "processes",
    "network",
    "git",
    "docker",
    "kubernetes",
    "packages",
    "system",
    "users",
    "datetime",
    "ssh",
}

# One sample entity per entity kind, with a space and a quote where a kind allows them, so rendering
# proves the quoting too.
SAMPLES = {
    "quoted": Entity("quoted", "it's a test"),
    "word": Entity("word", "sample"),
    "file": Entity("file", "my notes.txt"),
    "path": Entity("path", "/tmp/some dir"),
    "dir": Entity("dir", "~/My Folder"),
    "ext": Entity("ext", "py"),
    "size": Entity("size", "100MB", number=100 * 1024**2),
    "duration": Entity("duration", "7 days", number=7 * 1440),
    "port": Entity("port", "8080", number=8080),
    "hostport": Entity("hostport", "8080", number=8080, host="example.com"),
    "num": Entity("num", "3", number=3),
    "host": Entity("host", "example.com"),
    "userhost": Entity("userhost", "bob@example.com", host="example.com"),
    "url": Entity("url", "https://example.com/a.tar.gz"),
    "mode": Entity("mode", "644"),
    "var": Entity("var", "HOME"),
    "image": Entity("image", "nginx:latest"),
    "glob": Entity("glob", "cache-*.tmp"),
    "ordinal": Entity("ordinal", "3", number=3),
    "range": Entity("range", "3,5"),
}
SPECIAL = {  # slot types whose check needs a particular shape
    "archive": Entity("file", "backup 1.tar.gz"),
    "zipfile": Entity("file", "site.zip"),
    "gzfile": Entity("file", "big.log.gz"),
    "interface": Entity("word", "eth0"),
    "dirname": Entity("quoted", "my folder"),
    "commit": Entity("word", "a1b2c3d"),
    "user": Entity("word", "alice"),
    "group": Entity("word", "docker"),
    "namespace": Entity("word", "kube-system"),
    "epoch": Entity("num", "1700000000", number=1700000000),
    "pid": Entity("num", "4242", number=4242),
}
PLATFORMS = {
    "linux": Context("linux", "bash", "/"),
    "macos": Context("macos", "zsh", "/"),
    "windows": Context("windows", "powershell", "C:\\"),
}


def _sample(slot: str) -> Entity:
    base = re.sub(r"(?:_\w+|\d+)$", "", slot)
    if slot in SPECIAL or base in SPECIAL:
        return SPECIAL.get(slot) or SPECIAL[base]
    kind = slot_type(slot)
    for name in kind.kinds:
        entity = SAMPLES[name]
        if kind.check(entity):
            return entity
    raise AssertionError(f"no sample satisfies slot {slot}")


def _claimed(commands: dict[str, str]) -> list[str]:
    platforms = set()
    for key in commands:
        platforms |= {"posix": {"linux", "macos"}, "any": {"linux", "macos", "windows"}}.get(key, {key})
    return sorted(platforms)


def test_the_catalog_is_large_and_covers_every_domain() -> None:
    assert len(INTENTS) >= 250
    assert {intent.domain for intent in INTENTS} == DOMAINS


def test_intent_ids_are_unique_and_every_intent_is_complete() -> None:
    ids = [intent.id for intent in INTENTS]
    assert len(ids) == len(set(ids))
    for intent in INTENTS:
        assert intent.phrasings, intent.id
        assert intent.explanation, intent.id
        assert set(intent.commands) <= set(store.PLATFORM_KEYS), intent.id


def test_every_slot_has_an_extractor() -> None:
    for intent in INTENTS:
        for template in intent.commands.values():
            for name in re.findall(r"\{([A-Za-z]\w*)\??\}", template):
                # Braces around other words are literal text (awk, curl -w); they must not be typos of slots.
                assert has_type(name) or name in ("http_code",), f"{intent.id}: {{{name}}} has no slot type"
        for phrasing in intent.phrasings:
            for slot in phrasing.slots:
                assert has_type(slot), f"{intent.id}: phrasing slot {{{slot}}} has no slot type"
                assert slot in intent.slots, (
                    f"{intent.id}: phrasing asks for {{{slot}}} that no template uses"
                )
        for slot in intent.defaults:
            assert slot in intent.slots, f"{intent.id}: default for unused slot {slot}"


def test_every_phrasing_asks_for_every_required_slot() -> None:
    for intent in INTENTS:
        for phrasing in intent.phrasings:
            groups = {SLOT_GROUPS.get(s) for s in phrasing.slots} - {None}
            missing = {s for s in intent.required() - set(phrasing.slots) if SLOT_GROUPS.get(s) not in groups}
            assert not missing, f"{intent.id}: {phrasing.text!r} never fills {missing}"


@pytest.mark.parametrize("intent", INTENTS, ids=lambda i: i.id)
def test_every_template_renders_for_every_platform_it_claims(intent: store.Intent) -> None:
    values = {slot: _sample(slot) for slot in intent.slots}
    candidate = Candidate(intent, 1.0, 1.0, 1.0, intent.phrasings[0], values)
    for platform in _claimed(intent.commands):
        context = PLATFORMS[platform]
        assert template_for(intent, context) is not None
        rendered = render(candidate, context)
        assert rendered is not None, f"{intent.id} does not render on {platform}"
        command, explanation = rendered
        assert not any(f"{{{slot}}}" in command or f"{{{slot}?}}" in command for slot in intent.slots), (
            command
        )
        assert not any(f"{{{slot}}}" in explanation for slot in intent.slots), explanation
        if platform != "windows":
            shlex.split(command)  # balanced quotes: the shell reads it as written
        else:
            assert command.count("'") % 2 == 0, command


def test_no_two_intents_claim_the_same_phrasing() -> None:
    owners: dict[tuple[frozenset[str], tuple[str, ...]], str] = {}
    for intent in INTENTS:
        for phrasing in intent.phrasings:
            key = (phrasing.concepts, tuple(sorted(phrasing.slots)))
            other = owners.setdefault(key, intent.id)
            assert other == intent.id, (
                f"{phrasing.text!r} ({intent.id}) reads the same as a phrasing of {other}"
            )


def test_stopwords_are_single_words() -> None:
    lexicon = json.loads((store.DATA_DIR / store.LEXICON_FILE).read_text(encoding="utf-8"))
    assert all(" " not in word for word in lexicon["stopwords"])


def test_the_cached_index_matches_exactly_like_a_fresh_compile(tmp_path: Path) -> None:
    from caro.catalog.matcher import match

    store.load(cache_dir=tmp_path)  # writes the cache
    assert list(tmp_path.glob("catalog-*.bin"))
    cached = store.load(cache_dir=tmp_path)
    heldout = Path(__file__).resolve().parents[2] / "data" / "catalog-heldout.jsonl"
    for line in heldout.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        context = PLATFORMS[case["platform"]]
        fresh_match = match(case["prompt"], context, CATALOG)
        cached_match = match(case["prompt"], context, cached)
        assert (fresh_match and fresh_match.command) == (cached_match and cached_match.command), case[
            "prompt"
        ]


def test_a_new_cache_file_leaves_only_the_newest_few(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for age in range(6):  # catalog-00000000.bin is the newest of the stale ones
        stale = cache / f"catalog-{age:08x}.bin"
        stale.write_bytes(b"an earlier catalog")
        os.utime(stale, (1_700_000_000 - age * 3600, 1_700_000_000 - age * 3600))
    (cache / "availability.json").write_text("{}")
    store.load(cache_dir=cache)
    kept = sorted(p.name for p in cache.iterdir())
    newest = [f"catalog-{age:08x}.bin" for age in range(store.KEEP_CACHES - 1)]
    assert kept == sorted(["availability.json", f"catalog-{store.signature()}.bin", *newest])


def test_a_corrupt_cache_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / f"catalog-{store.signature()}.bin"
    path.write_bytes(b"\x00not marshal")
    catalog = store.load(cache_dir=tmp_path)
    assert len(catalog.intents) == len(INTENTS)
    assert len(store.load(cache_dir=tmp_path)) == len(INTENTS)  # rewritten, and readable

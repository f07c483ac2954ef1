"""A stamp lands in the user cache whole or not at all, and a cache that cannot take it costs nothing."""

from __future__ import annotations

import os

from dolmetsch import stamps


def a_stamp(tmp_path):
    return stamps.Stamp("inputs", "tiny", {str(tmp_path / "out" / "a.en.txt"): "0" * 64}, {"segments": 3})


def test_a_saved_stamp_reads_back_and_leaves_no_temporary_file(tmp_path):
    stamp = a_stamp(tmp_path)
    stamps.save_stamp(stamp)
    path = stamps.stamp_file(stamp.outputs)
    assert stamps.load_stamp(stamp.outputs) == stamp
    assert os.listdir(path.parent) == [path.name]


def test_a_failed_write_leaves_the_old_stamp_and_no_temporary_file(tmp_path, monkeypatch):
    stamp = a_stamp(tmp_path)
    stamps.save_stamp(stamp)
    path = stamps.stamp_file(stamp.outputs)

    def refused(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(stamps.os, "replace", refused)
    stamps.save_stamp(stamps.Stamp("other", "tiny", stamp.outputs))
    assert stamps.load_stamp(stamp.outputs) == stamp
    assert os.listdir(path.parent) == [path.name]


def test_a_cache_that_cannot_be_written_costs_nothing(tmp_path, monkeypatch):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    stamps.save_stamp(a_stamp(tmp_path))
    assert stamps.load_stamp(a_stamp(tmp_path).outputs) is None

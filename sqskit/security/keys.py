"""A KMS key: its state, its policy, its versions of key material, all on the virtual clock.

What is modelled (kms-envelope.md section 1; the KMS developer guide's key-state,
rotate-keys and deleting-keys pages):

* states ``Enabled``, ``Disabled`` and ``PendingDeletion``. sqskit creates symmetric
  ``AWS_KMS`` keys only, so ``Creating``, ``PendingImport`` and ``Unavailable`` never occur;
* ``ScheduleKeyDeletion`` waits 7..30 days; ``CancelKeyDeletion`` leaves the key
  **Disabled** (it must be enabled again); when the window has passed the key, its
  material and its aliases are gone for good (the KMS service drops them);
* rotation adds a version of key material: new ciphertexts use the newest version, every
  older version is kept, so old ciphertexts still decrypt. Automatic rotation runs every
  ``RotationPeriodInDays`` (90..2560, default 365) while the key is Enabled; a rotation
  that falls due while the key is disabled happens when it is enabled again. On-demand
  rotation happens at once.

Methods take ``now``; nothing here reads a clock. Errors are KMS errors naming the key ARN,
never its material.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..base.errors import (
    DisabledException,
    InvalidCiphertextException,
    KMSInvalidStateException,
)
from . import envelope
from .envelope import SecretKey

KeyState = Literal["Enabled", "Disabled", "PendingDeletion"]
KeyManager = Literal["CUSTOMER", "AWS"]
RotationType = Literal["AUTOMATIC", "ON_DEMAND"]

DAY = 86_400
DEFAULT_ROTATION_DAYS = 365


@dataclass(frozen=True)
class Rotation:
    """One rotation: the material version it created, when, and how."""

    version: int
    material_id: str
    rotated_at: float
    kind: RotationType


@dataclass(eq=False)
class KmsKey:
    """A symmetric encryption KMS key (``SYMMETRIC_DEFAULT``: AES-256-GCM)."""

    key_id: str
    account: str
    region: str
    created_at: float
    policy: str
    description: str = ""
    manager: KeyManager = "CUSTOMER"
    state: KeyState = "Enabled"
    deletion_at: float | None = None
    #: automatic rotation period in days; None while automatic rotation is off
    rotation_period_days: int | None = None
    next_rotation_at: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    material_ids: list[str] = field(default_factory=list)
    rotations: list[Rotation] = field(default_factory=list)
    # version n lives at index n - 1; never shown, never copied out
    _materials: list[SecretKey] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls, key_id: str, account: str, region: str, now: float, policy: str,
        material_id: str, **options: object,
    ) -> KmsKey:
        """A new Enabled key with its first version of material."""
        key = cls(key_id, account, region, now, policy, **options)  # type: ignore[arg-type]
        key._add_material(material_id)
        return key

    # -- identity ------------------------------------------------------------------------
    @property
    def arn(self) -> str:
        return f"arn:aws:kms:{self.region}:{self.account}:key/{self.key_id}"

    @property
    def current_version(self) -> int:
        return len(self._materials)

    @property
    def current_material_id(self) -> str:
        return self.material_ids[-1]

    # -- using the key -------------------------------------------------------------------
    def check_usable(self) -> None:
        """Raise the error AWS returns for a cryptographic call on a key in this state.

        Pending deletion: the key-state table lists DisabledException *or*
        KMSInvalidStateException; sqskit returns KMSInvalidStateException, what current
        AWS usually returns (kms-envelope.md section 1, unverified).
        """
        if self.state == "Disabled":
            raise DisabledException(f"{self.arn} is disabled.")
        self.check_not_pending_deletion()

    def check_not_pending_deletion(self) -> None:
        if self.state == "PendingDeletion":
            raise KMSInvalidStateException(f"{self.arn} is pending deletion.")

    def seal(self, plaintext: bytes, context: Mapping[str, str] | None) -> bytes:
        """A ciphertext blob of ``plaintext`` under the newest material."""
        return envelope.seal_blob(self._materials[-1], self.key_id, self.current_version,
                                  plaintext, context)

    def open(self, blob: bytes, context: Mapping[str, str] | None) -> tuple[bytes, int]:
        """``(plaintext, material version)`` of a blob sealed under this key."""
        header = envelope.read_header(blob)
        if header.key_id != self.key_id or not 1 <= header.material_version <= len(
            self._materials
        ):
            raise InvalidCiphertextException()
        material = self._materials[header.material_version - 1]
        return envelope.open_blob(material, blob, context), header.material_version

    # -- state changes -------------------------------------------------------------------
    def enable(self, now: float) -> None:
        self.check_not_pending_deletion()
        self.state = "Enabled"
        if self.next_rotation_at is not None and self.next_rotation_at < now:
            self.next_rotation_at = now  # a rotation missed while disabled happens now

    def disable(self) -> None:
        self.check_not_pending_deletion()
        self.state = "Disabled"

    def schedule_deletion(self, now: float, days: int) -> float:
        """Start the waiting period; return the instant the key will be deleted."""
        self.check_not_pending_deletion()
        self.state = "PendingDeletion"
        self.deletion_at = now + days * DAY
        return self.deletion_at

    def cancel_deletion(self) -> None:
        """Stop a scheduled deletion: the key comes back **Disabled**, as in AWS."""
        if self.state != "PendingDeletion":
            raise KMSInvalidStateException(f"{self.arn} is not pending deletion.")
        self.state = "Disabled"
        self.deletion_at = None

    # -- rotation ------------------------------------------------------------------------
    def enable_rotation(self, now: float, days: int = DEFAULT_ROTATION_DAYS) -> None:
        self.rotation_period_days = days
        self.next_rotation_at = now + days * DAY

    def disable_rotation(self) -> None:
        self.rotation_period_days = None
        self.next_rotation_at = None

    def rotate(self, now: float, material_id: str, kind: RotationType) -> Rotation:
        """Add a version of material; older versions stay for decryption."""
        self._add_material(material_id)
        rotation = Rotation(self.current_version, material_id, now, kind)
        self.rotations.append(rotation)
        if kind == "AUTOMATIC" and self.rotation_period_days is not None:
            self.next_rotation_at = now + self.rotation_period_days * DAY
        return rotation

    def _add_material(self, material_id: str) -> None:
        version = len(self._materials) + 1
        self._materials.append(SecretKey.generate(f"{self.key_id} v{version}"))
        self.material_ids.append(material_id)

    # -- time passing --------------------------------------------------------------------
    @property
    def due_at(self) -> float | None:
        """The next instant something happens to this key on its own, or None."""
        times = [t for t in (self.deletion_at,
                             self.next_rotation_at if self.state == "Enabled" else None)
                 if t is not None]
        return min(times) if times else None

    def catch_up(self, now: float, new_material_id: Callable[[], str]) -> bool:
        """Run the automatic rotations due by ``now``; True if the key is now deleted."""
        if self.deletion_at is not None and now >= self.deletion_at:
            return True
        while (self.state == "Enabled" and self.next_rotation_at is not None
               and self.next_rotation_at <= now):
            self.rotate(self.next_rotation_at, new_material_id(), "AUTOMATIC")
        return False

    def __repr__(self) -> str:
        return (f"<KmsKey {self.key_id} {self.state} {self.manager.lower()} "
                f"material v{self.current_version}>")

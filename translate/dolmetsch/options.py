"""Everything a translation run is told, in one frozen record that the command line fills once.

The same record travels unchanged to the engine, the local worker processes and Ray actors, so
an option is spelled out in one place (the decoding options in `DecodingOptions`) and a new one
reaches every way of running without another keyword argument along the way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from dolmetsch.engine.engine import DecodingOptions, Engine, usable_cores
from dolmetsch.models.package import ArgosPackage
from dolmetsch.postedit import TYPOGRAPHIC


@dataclass(frozen=True)
class RunOptions:
    """The settings of one run of `dolmetsch translate` (or of `Translator.load`)."""

    model: Path | None = None
    """An .argosmodel file or package folder; None: the installed de→en package."""
    offline: bool = False
    glossary: tuple[Path, ...] | None = None
    """Glossary files or folders; None: ./glossary/ when it exists."""
    no_glossary: bool = False
    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    device: str = "cpu"
    threads: int = 0
    compute_type: str = "default"
    quotes: str | None = TYPOGRAPHIC
    """The post-edit's quotation style; None: no post-edit."""
    retranslate: bool = False
    memory_files: tuple[Path, ...] = ()
    trust_memory: bool = False
    workers: int = 1
    ray: bool = False
    ray_address: str | None = None

    def __post_init__(self) -> None:  # lists from a caller become tuples: the record stays hashable and picklable
        if self.glossary is not None:
            object.__setattr__(self, "glossary", tuple(Path(p) for p in self.glossary))
        object.__setattr__(self, "memory_files", tuple(Path(p) for p in self.memory_files))
        if self.model is not None:
            object.__setattr__(self, "model", Path(self.model))

    @property
    def elsewhere(self) -> bool:
        """Whether decoding goes to other processes (local workers or Ray actors)."""
        return self.ray or self.ray_address is not None or self.workers > 1

    def for_workers(self) -> "RunOptions":
        """These options as each local worker uses them: this machine's cores shared out, unless threads were given."""
        if self.ray or self.ray_address is not None or self.threads:
            return self
        return replace(self, threads=max(1, usable_cores() // self.workers))

    def load_engine(self, package: ArgosPackage) -> Engine:
        """Load the package's CTranslate2 model and tokenizer as these options say: the expensive step."""
        return Engine.load(package, device=self.device, threads=self.threads, compute_type=self.compute_type, options=self.decoding)

    def output_digest(self) -> str:
        """A digest of every option that can change what a run writes for the same source and model
        (decoding, device and compute type, post-edit, memory trust); not of where or how fast it runs."""
        shaping = {
            "decoding": asdict(self.decoding),
            "device": self.device,
            "compute_type": self.compute_type,
            "quotes": self.quotes,
            "trust_memory": self.trust_memory,
        }
        return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode("utf-8")).hexdigest()

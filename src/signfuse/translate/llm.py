"""Gloss -> text through any OpenAI-compatible chat endpoint (llama.cpp server, vLLM, Ollama, hosted APIs).

:class:`LLMTranslator` has the same ``translate``/``translate_batch`` as the Transformer's
:class:`~signfuse.translate.translator.Translator`. Each gloss sequence becomes one
``POST {base_url}/chat/completions`` request with a few-shot prompt: a system message naming the sign
language and the target language, then the ``k`` training pairs most similar to the input (BM25 over
gloss tokens, :mod:`rank_bm25`) as user/assistant turns, then the input. Requests time out, are retried
with exponential back-off on connection errors, timeouts, HTTP 429 and 5xx, and an unreachable server
or a malformed answer raises :class:`LLMError` naming the URL. Nothing here runs a model: the user
brings the server.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ParameterError, SignfuseError
from .corpus import Pair
from .translator import Translation, _glosses

__all__ = ["LLMTranslator", "LLMError", "FewShotRetriever", "build_messages"]

log = logging.getLogger(__name__)


class LLMError(SignfuseError):
    """The LLM server could not be reached or gave an answer that is not a chat completion."""


class FewShotRetriever:
    """The ``k`` training pairs whose glosses best match a query by BM25 (Okapi) over gloss tokens."""

    def __init__(self, pairs: Sequence[Pair]):
        from rank_bm25 import BM25Okapi

        self.pairs = [p for p in pairs if p.glosses and p.text]
        if not self.pairs:
            raise ParameterError("few-shot retrieval needs at least one training pair with glosses and text")
        self._bm25 = BM25Okapi([list(p.glosses) for p in self.pairs])

    def top(self, glosses: Sequence[str], k: int) -> list[Pair]:
        if k <= 0 or not glosses:
            return []
        scores = self._bm25.get_scores(list(glosses))
        order = sorted(range(len(self.pairs)), key=lambda i: (-scores[i], i))[:k]
        return [self.pairs[i] for i in reversed(order)]  # most similar last, nearest the query


def build_messages(
    glosses: Sequence[str], examples: Sequence[Pair], *, sign_language: str, target_language: str
) -> list[dict[str, str]]:
    """Chat messages: instructions, the examples as user/assistant turns, then the query."""
    system = (
        f"You translate {sign_language} glosses into {target_language}. Glosses are written in capitals, "
        f"one per sign, in signing order. Answer with the {target_language} sentence only, written like the "
        "example answers (same casing and punctuation), without explanations."
    )
    msgs = [{"role": "system", "content": system}]
    for p in examples:
        msgs.append({"role": "user", "content": f"Glosses: {p.source}"})
        msgs.append({"role": "assistant", "content": p.text})
    msgs.append({"role": "user", "content": f"Glosses: {' '.join(glosses)}"})
    return msgs


@dataclass
class LLMTranslator:
    """Translate through an OpenAI-compatible ``/chat/completions`` endpoint.

    Parameters
    ----------
    base_url:
        The API root, e.g. ``http://127.0.0.1:8080/v1`` (``/chat/completions`` is appended).
    model:
        The model name the server expects.
    examples:
        Training pairs for few-shot retrieval (none: zero-shot).
    k:
        Number of few-shot examples per request.
    timeout, retries, backoff:
        Seconds per request; extra attempts; first back-off delay in seconds (doubled each retry).
    """

    base_url: str
    model: str
    examples: Sequence[Pair] = ()
    k: int = 5
    sign_language: str = "German Sign Language (DGS)"
    target_language: str = "German"
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    api_key: str | None = None
    temperature: float = 0.0
    max_tokens: int = 128

    def __post_init__(self) -> None:
        if not str(self.base_url).startswith(("http://", "https://")):
            raise ParameterError(f"base_url={self.base_url!r} must start with http:// or https://")
        if not self.model:
            raise ParameterError("model must name the model the server serves")
        for name, v, lo in (("k", self.k, 0), ("retries", self.retries, 0)):
            if not isinstance(v, int) or v < lo:
                raise ParameterError(f"{name}={v!r} must be an integer >= {lo}")
        if not self.timeout > 0 or self.backoff < 0:
            raise ParameterError(f"timeout={self.timeout} must be > 0 and backoff={self.backoff} >= 0")
        self.url = str(self.base_url).rstrip("/") + "/chat/completions"
        self._retriever = FewShotRetriever(self.examples) if self.examples and self.k else None

    def _post(self, client, payload: dict) -> str:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("retrying %s in %.1f s (%s)", self.url, delay, last)
                time.sleep(delay)
            try:
                r = client.post(self.url, json=payload, headers=headers)
            except httpx.TimeoutException:
                last = f"no answer within {self.timeout:g} s"
                continue
            except httpx.TransportError as e:
                last = f"cannot connect ({type(e).__name__}: {e})"
                continue
            if r.status_code == 429 or r.status_code >= 500:
                last = f"HTTP {r.status_code}"
                continue
            if r.status_code != 200:
                raise LLMError(f"{self.url}: HTTP {r.status_code}: {r.text[:300]}")
            try:
                content = r.json()["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError, TypeError):
                raise LLMError(f"{self.url}: not an OpenAI chat completion: {r.text[:300]}") from None
            if not isinstance(content, str):
                raise LLMError(f"{self.url}: the answer's content is not text: {content!r}")
            return content
        raise LLMError(
            f"{self.url}: the LLM server is unreachable or failing after {self.retries + 1} attempts ({last})"
        )

    def messages(self, glosses: Sequence[str]) -> list[dict[str, str]]:
        shots = self._retriever.top(glosses, self.k) if self._retriever is not None else []
        return build_messages(glosses, shots, sign_language=self.sign_language, target_language=self.target_language)

    def translate_batch(
        self,
        sentences: Sequence[Sequence[str] | str],
        *,
        beam: int | None = None,
        alpha: float | None = None,
        batch_size: int = 1,
    ) -> list[Translation]:
        """Translate each gloss sequence with one request (``beam``/``alpha`` do not apply and are ignored)."""
        import httpx

        out = []
        with httpx.Client(timeout=self.timeout) as client:
            for s in sentences:
                glosses = _glosses(s)
                if not glosses:
                    out.append(Translation(""))
                    continue
                payload = {
                    "model": self.model,
                    "messages": self.messages(glosses),
                    "temperature": self.temperature,
                    "max_tokens": self.max_tokens,
                }
                text = self._post(client, payload).strip()
                text = text.splitlines()[0].strip() if text else ""
                out.append(Translation(" ".join(text.split())))
        return out

    def translate(self, glosses: Sequence[str] | str, *, beam: int | None = None, alpha: float | None = None) -> str:
        return self.translate_batch([glosses])[0].text

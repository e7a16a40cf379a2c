from __future__ import annotations

import itertools

import pytest
import torch

from signfuse.errors import ParameterError
from signfuse.models.translation import TranslationTransformer
from signfuse.translate.decode import beam_search, greedy_decode, length_penalty
from signfuse.translate.vocab import BOS, EOS


def _model(tgt_vocab: int = 12, seed: int = 0) -> TranslationTransformer:
    torch.manual_seed(seed)
    m = TranslationTransformer(
        src_vocab=20, tgt_vocab=tgt_vocab, dim=16, heads=2, enc_layers=1, dec_layers=1, ff=32, dropout=0.0
    )
    with torch.no_grad():  # sharper distributions than the initialization gives, so greedy and beam differ
        for p in m.parameters():
            p.mul_(3)
    return m.eval()


def _logprob(m, src, tokens) -> float:
    """Summed log-probability of ``tokens + </s>`` under teacher forcing (an independent computation)."""
    tin = torch.tensor([[BOS] + list(tokens)])
    with torch.no_grad():
        lp = torch.log_softmax(m(src, tin)["logits"][0], -1)
    return float(sum(lp[t, tok] for t, tok in enumerate(list(tokens) + [EOS])))


def test_beam_1_is_greedy_and_scores_are_log_probs():
    m = _model()
    src = torch.randint(4, 20, (16, 5), generator=torch.Generator().manual_seed(1))
    g = greedy_decode(m, src, max_len=8)
    b1 = beam_search(m, src, beam=1, alpha=0.0, max_len=8)
    assert [h.tokens for h in g] == [h.tokens for h in b1]
    for i, h in enumerate(g):
        assert h.logprob == pytest.approx(_logprob(m, src[i : i + 1], h.tokens), abs=1e-3)


def test_beam_finds_sequences_at_least_as_probable_as_greedy():
    m = _model()
    src = torch.randint(4, 20, (16, 5), generator=torch.Generator().manual_seed(1))
    g = greedy_decode(m, src, max_len=8)
    b5 = beam_search(m, src, beam=5, alpha=0.0, max_len=8)
    for i, (x, y) in enumerate(zip(g, b5)):
        assert y.logprob >= x.logprob - 1e-4
        assert y.logprob == pytest.approx(_logprob(m, src[i : i + 1], y.tokens), abs=1e-3)
    assert sum(y.logprob > x.logprob + 1e-3 for x, y in zip(g, b5)) >= 3  # and often strictly better


def test_wide_beam_is_exact_on_a_tiny_vocabulary():
    # 2 real words, at most 3 of them before </s>: 15 sequences; a beam of 8 holds every live prefix
    m = _model(tgt_vocab=6, seed=3)
    src = torch.randint(4, 20, (4, 4), generator=torch.Generator().manual_seed(2))
    best = beam_search(m, src, beam=8, alpha=0.0, max_len=4)
    for i in range(4):
        exact = max(
            (_logprob(m, src[i : i + 1], seq), seq) for n in range(4) for seq in itertools.product((4, 5), repeat=n)
        )
        assert best[i].logprob == pytest.approx(exact[0], abs=1e-4)
        assert best[i].tokens == exact[1]


def test_length_penalty_and_errors():
    assert length_penalty(1, 0.0) == 1.0 and length_penalty(7, 1.0) == pytest.approx(2.0)
    m = _model()
    src = torch.randint(4, 20, (2, 3))
    with pytest.raises(ParameterError, match="beam"):
        beam_search(m, src, beam=0)
    with pytest.raises(ParameterError, match="alpha"):
        beam_search(m, src, beam=2, alpha=-1)


def test_incremental_decoding_equals_full_decoding():
    torch.manual_seed(0)
    m = TranslationTransformer(
        src_vocab=30, tgt_vocab=25, dim=32, heads=4, enc_layers=2, dec_layers=2, ff=64, dropout=0.3
    ).eval()
    src = torch.randint(4, 30, (3, 7))
    src[0, 5:] = 0  # padding
    tin = torch.randint(4, 25, (3, 9))
    tin[:, 0] = BOS
    with torch.no_grad():
        memory, pad = m.encode(src)
        full = m.decode(tin, memory, pad)
        state = m.start_decoding(memory, pad)
        steps = torch.stack([m.decode_step(tin[:, t], state) for t in range(9)], 1)
        # reordering rows (as beam search does) keeps each row's cache
        st2 = m.start_decoding(memory, pad)
        m.decode_step(tin[:, 0], st2)
        st2 = st2.select(torch.tensor([2, 0]))
        row = m.decode_step(tin[[2, 0], 1], st2)
        # beam search's rows b*K + k share sentence b's memory: same_memory=True keeps the cross caches
        K = 2
        st3 = m.start_decoding(memory.repeat_interleave(K, 0), pad.repeat_interleave(K, 0))
        m.decode_step(tin[:, 0].repeat_interleave(K), st3)
        within = torch.tensor([1, 1, 2, 3, 5, 4])  # each row stays in its own sentence's pair of rows
        kept = st3.select(within, same_memory=True)
        assert kept.cross_k[0] is st3.cross_k[0] and kept.keep is st3.keep
        beam_row = m.decode_step(tin[:, 1].repeat_interleave(K), kept)
    assert torch.allclose(full, steps, atol=1e-5)
    assert torch.allclose(row, full[[2, 0], 1], atol=1e-5)
    assert torch.allclose(beam_row, full[:, 1].repeat_interleave(K, 0), atol=1e-5)


def test_decode_weights_follow_the_parameters():
    """decode_step reads a cached transposed copy of the decoder's weights; changing the weights in place
    (as an optimizer or load_state_dict does) must rebuild it, or decoding would use stale weights."""
    a, b = _model(seed=0), _model(seed=1)
    src = torch.randint(4, 20, (6, 5), generator=torch.Generator().manual_seed(1))
    want_a, want_b = beam_search(a, src, beam=3, max_len=8), beam_search(b, src, beam=3, max_len=8)
    assert [h.tokens for h in want_a] != [h.tokens for h in want_b]
    first = a.decode_weights()
    assert a.decode_weights() is first  # cached while nothing changes
    a.load_state_dict(b.state_dict())
    assert [h.tokens for h in beam_search(a, src, beam=3, max_len=8)] == [h.tokens for h in want_b]
    with torch.no_grad():
        a.decoder.layers[0].linear1.weight.mul_(0.5)  # an in-place update, as an optimizer step
    assert a.decode_weights() is not first
    b.decoder.layers[0].linear1.weight.data.mul_(0.5)  # through .data: invisible to the version counter
    b.clear_decode_cache()
    assert [h.tokens for h in beam_search(a, src, beam=3, max_len=8)] == [
        h.tokens for h in beam_search(b, src, beam=3, max_len=8)
    ]


def test_shared_embeddings_need_one_vocabulary():
    m = TranslationTransformer(src_vocab=20, tgt_vocab=20, dim=16, heads=2, ff=32, share_embeddings=True)
    assert m.src_embed is m.tgt_embed and m.out.weight is m.tgt_embed.weight
    with pytest.raises(ParameterError, match="joint vocabulary"):
        TranslationTransformer(src_vocab=20, tgt_vocab=30, dim=16, heads=2, ff=32, share_embeddings=True)

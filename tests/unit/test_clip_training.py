"""The CLIP demo's first pieces: a CLIP tokenizer whose vocabulary holds each caption word as one
token, the contrastive loss, and the held-out (shape, colour) pairs."""

import numpy as np
import torch

from demos.clip.model import HELD_OUT_PAIRS, new_clip, new_processor
from demos.clip.tokenizer import caption_tokenizer, caption_words
from demos.clip.train import ALL_CAPTIONS, caption_index, contrastive_loss, unseen_mask
from shared.datasets import make_shapes


def test_caption_words_are_tokens_but_two_and_other_text_still_tokenizes():
    tokenizer = caption_tokenizer()
    ids = tokenizer("a small red circle at the top left")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids) == ["<|startoftext|>", "a</w>", "small</w>", "red</w>", "circle</w>",
                                                    "at</w>", "the</w>", "top</w>", "left</w>", "<|endoftext|>"]
    assert len(caption_words()) == len(set(caption_words())) and "center" in caption_words()
    split = {w: tokenizer.convert_ids_to_tokens(tokenizer(w)["input_ids"][1:-1]) for w in caption_words()}
    assert {w: p for w, p in split.items() if len(p) > 1} == {"green": ["g", "re", "e", "n</w>"],
                                                             "bottom": ["bot", "to", "m</w>"]}
    from demos.clip.train import ALL_CAPTIONS

    assert max(len(tokenizer(c)["input_ids"]) for c in ALL_CAPTIONS) == 15  # within the 16-token context
    zebra = tokenizer("A LARGE Zebra!")["input_ids"]  # lower-cased; an unknown word falls back to its bytes
    assert tokenizer.decode(zebra, skip_special_tokens=True) == "a large zebra !"  # CLIP decodes word by word


def test_the_folder_loads_with_transformers_own_classes(tmp_path):
    from transformers import CLIPModel, CLIPProcessor

    torch.manual_seed(0)
    new_clip(width=32, layers=1).save_pretrained(tmp_path)
    new_processor().save_pretrained(tmp_path)
    model, processor = CLIPModel.from_pretrained(tmp_path), CLIPProcessor.from_pretrained(tmp_path)
    batch = processor(text=["a small red circle at the top left"], images=[np.zeros((40, 60, 3), np.uint8)],
                      return_tensors="pt", padding=True)
    assert batch["pixel_values"].shape == (1, 3, 32, 32) and float(batch["pixel_values"].min()) == -1.0
    with torch.no_grad():
        out = model(**batch)
    assert out.logits_per_image.shape == (1, 1)


def test_the_loss_is_lowest_for_the_true_pairing_and_counts_repeated_captions_as_positives():
    torch.manual_seed(0)
    text = torch.randn(6, 16)
    image = text + 0.1 * torch.randn(6, 16)
    same = torch.eye(6, dtype=torch.bool)
    scale = torch.tensor(np.log(20.0))
    true = contrastive_loss(image, text, same, scale)
    for shift in range(1, 6):
        assert true < contrastive_loss(image, text.roll(shift, 0), same, scale)
    twice = torch.cat([text[:3], text[:3]])  # every caption twice: images i and i+3 share it
    same_twice = torch.eye(6, dtype=torch.bool) | torch.eye(6, dtype=torch.bool).roll(3, 1)
    with_twins = contrastive_loss(twice + 0.01 * torch.randn(6, 16), twice, same_twice, scale)
    assert abs(float(with_twins) - np.log(2.0)) < 0.05  # the best possible: half the mass on each twin


def test_held_out_pairs_are_a_tenth_and_captions_index_in_label_order():
    assert len(HELD_OUT_PAIRS) == 4 and len({s for s, _ in HELD_OUT_PAIRS}) == len({c for _, c in HELD_OUT_PAIRS}) == 4
    data = make_shapes(500, 1)
    idx = caption_index(data.labels)
    assert [ALL_CAPTIONS[i] for i in idx] == data.captions
    unseen = unseen_mask(data.labels)
    assert all((data.label(i)["shape"], data.label(i)["colour"]) in HELD_OUT_PAIRS for i in np.flatnonzero(unseen))
    assert 0.05 < unseen.mean() < 0.2

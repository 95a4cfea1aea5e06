"""The CLIP demo's first pieces: a CLIP tokenizer whose vocabulary holds each known word as one
token, the contrastive loss with every fitting text a positive, and the held-out (shape, colour) pairs."""

import numpy as np
import torch

from demos.clip.model import new_clip, new_processor
from demos.clip.tokenizer import caption_tokenizer, caption_words
from demos.clip.train import contrastive_loss, fits
from shared import phrasings
from shared.datasets import ALL_CAPTIONS, ALL_LABELS, HELD_OUT_PAIRS, LABEL_NAMES, caption_index, make_shapes, unseen_mask
from shared.phrasings import batch_phrasings, known_words


def test_every_known_word_is_one_token_and_other_text_still_tokenizes():
    tokenizer = caption_tokenizer()
    ids = tokenizer("a small red circle at the top left")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids) == ["<|startoftext|>", "a</w>", "small</w>", "red</w>", "circle</w>",
                                                    "at</w>", "the</w>", "top</w>", "left</w>", "<|endoftext|>"]
    words = caption_words()
    assert len(words) == len(set(words)) and set(known_words()) <= set(words)
    split = {w: tokenizer.convert_ids_to_tokens(tokenizer(w)["input_ids"][1:-1]) for w in words}
    assert {w: p for w, p in split.items() if len(p) > 1} == {}  # 'green' was g·re·e·n, 'bottom' bot·to·m
    assert split["green"] == ["green</w>"] and split["crimson"] == ["crimson</w>"]
    zebra = tokenizer("A LARGE Zebra!")["input_ids"]  # lower-cased; an unknown word falls back to its bytes
    assert tokenizer.decode(zebra, skip_special_tokens=True) == "a large zebra !"  # CLIP decodes word by word
    assert len(tokenizer.convert_ids_to_tokens(tokenizer("zebra")["input_ids"])) > 3


def test_the_context_holds_the_longest_phrasing_of_every_split():
    from demos.clip.model import CONTEXT

    tokenizer = caption_tokenizer()
    assert max(len(tokenizer(c)["input_ids"]) for c in ALL_CAPTIONS) == 10  # every caption word one token
    rng = np.random.default_rng(0)
    longest = 0
    for split in phrasings.SPLITS:
        for labels in make_shapes(600, 3).captions:
            values = dict(zip(LABEL_NAMES, caption_labels(labels)))
            text = phrasings.for_bundled(phrasings.describe(values, rng, split)[0])
            longest = max(longest, len(tokenizer(text)["input_ids"]))
    assert 17 <= longest <= CONTEXT == 24


def caption_labels(caption: str) -> tuple[str, ...]:
    return next(lab for lab, c in zip(ALL_LABEL_NAMES, ALL_CAPTIONS) if c == caption)


ALL_LABEL_NAMES = [tuple(names[i] for names, i in zip(LABEL_NAMES.values(), lab)) for lab in ALL_LABELS]


def test_a_text_fits_every_image_with_the_labels_it_names():
    labels = np.array([[0, 0, 0, 0], [0, 1, 1, 2], [3, 0, 1, 2]])  # (shape, colour, size, position)
    named = np.array([[True, True, True, True], [False, True, False, False], [True, False, False, False]])
    fit = fits(labels, named).numpy()
    # text 0 names all of image 0; text 1 says only colour 1; text 2 only shape 3
    assert fit.tolist() == [[True, False, False], [False, True, False], [False, False, True]]
    named[1] = [True, False, False, False]  # text 1 now says "shape 0": images 0 and 1 have it
    assert fits(labels, named).numpy()[:, 1].tolist() == [True, True, False]
    texts, said = batch_phrasings(np.array([[0, 0, 0, 0]] * 200), np.random.default_rng(0))
    assert said.any(1).all() and 0.2 < said.all(1).mean() < 0.7 and len(set(texts)) > 50


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


def test_the_augmentation_recovers_each_shape_exactly_and_greys_only_where_asked():
    from demos.clip.augment import augment, on_background, shape_alpha
    from shared.datasets import BACKGROUND
    from shared.shapes_classifier import to_tensor

    data = make_shapes(64, 7)
    x, colour = to_tensor(data.images), torch.from_numpy(data.labels["colour"])
    # image = alpha * fill + (1 - alpha) * background, exactly: re-composing on the same background gives it back
    assert torch.allclose(on_background(x, colour, BACKGROUND), x, atol=2 / 255)
    alpha = shape_alpha(x, colour)
    assert float(alpha.amax()) == 1.0 and float(alpha.amin()) == 0.0
    grey = torch.arange(64) % 2 == 0
    out = augment(x, colour, torch.Generator().manual_seed(0), p=0.0, achromatic=grey)
    assert torch.equal(out[~grey], x[~grey])  # p = 0: only the grey ones are re-drawn
    core = shape_alpha(x, colour)[grey, 0] > 0.99  # the shapes' insides (the tilt moves them by under 2 pixels)
    spread = (out[grey].amax(1) - out[grey].amin(1))  # 0 where a pixel is grey
    assert float(spread[core].median()) < 0.1


def test_grey_images_get_texts_that_name_no_colour_and_fit_no_colour_text():
    from demos.clip.train import colourless

    labels = np.array([[0, 2, 0, 1], [0, 2, 0, 1]])
    texts, named = batch_phrasings(labels, np.random.default_rng(1))
    texts, named, labels = colourless(texts, named, labels, np.array([True, False]), np.random.default_rng(2))
    assert not named[0, 1] and labels[0, 1] == -1 and labels[1, 1] == 2
    assert not set(texts[0].lower().split()) & set(phrasings.known_words()) & {"yellow", "gold"}
    named[1] = [False, True, False, False]  # text 1 says only "yellow": it does not fit the grey image 0
    assert fits(labels, named).numpy()[:, 1].tolist() == [False, True]


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path):
    from demos.clip.train import TrainConfig, fit
    from tests.resume_check import assert_resumes_the_same

    cfg = TrainConfig(batch_size=8, width=16, layers=1, data_size=200, eval_every=1000, device="cpu", grey=0.4)
    assert_resumes_the_same(cfg, fit, lambda s: s.model, tmp_path)

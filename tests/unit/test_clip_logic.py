"""The CLIP tab's logic on the bundled model: search order, zero-shot, the index switch, a session's
own images, queries and labels that need cleaning, the projection, and the Hub path with a tiny
random CLIPModel saved under a Hub id in the tests' offline cache."""

import copy
import re

import numpy as np
import pytest
from PIL import Image

from demos.clip import encoders, explore, options
from demos.clip.index import VectorIndex
from demos.clip.session import UserGallery
from shared import checkpoints, datasets
from shared.limits import LimitError
from tests.hub_cache import hub_snapshot_dir

BUNDLED = options.BUNDLED


def test_text_search_is_ordered_and_finds_what_it_names():
    result = explore.search_text(BUNDLED, "a small green triangle", 10)
    scores = [h.score for h in result.hits]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)
    assert all("small green triangle" in h.name for h in result.hits[:5]), [h.name for h in result.hits]
    assert result.searched == options.GALLERY_SIZE and result.index_kind == "exact" and result.notice is None
    # the scores are the cosines the gallery's embeddings give: recomputed here by hand
    clip = explore.load_clip(BUNDLED)
    gallery = explore.base_gallery(BUNDLED)
    text = explore.embed_texts(clip, ["a small green triangle"])[0]
    by_hand = np.sort(gallery.embeddings @ text)[::-1][:10]
    assert np.allclose(scores, by_hand, atol=1e-5)


def test_image_search_finds_the_image_itself_first():
    gallery = explore.base_gallery(BUNDLED)
    result = explore.search_image(BUNDLED, gallery.images[123], 5)
    assert result.hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(result.hits[0].image, gallery.images[123]) and result.hits[0].name == gallery.names[123]


def test_unseen_pairs_are_marked():
    result = explore.search_text(BUNDLED, "a purple circle", 5)  # (circle, purple) is held out of training
    assert all(h.unseen and "purple circle" in h.name for h in result.hits), [h.name for h in result.hits]
    assert not any(h.unseen for h in explore.search_text(BUNDLED, "a red circle", 5).hits)


def test_zero_shot_probabilities_sum_to_one_and_pick_the_caption():
    image, caption = datasets.data_image(options.DEFAULT_IMAGE_SEED)
    assert caption == "a small red star at the top right"
    result = explore.zero_shot(BUNDLED, image, options.DEFAULT_LABELS)
    assert result.probabilities.sum() == pytest.approx(1.0)
    assert result.labels[int(np.argmax(result.probabilities))] == "a red star"
    # p = softmax(exp(logit_scale) * cos): recomputed from the cosines and the temperature
    logits = result.similarities / result.temperature
    assert np.allclose(result.probabilities, np.exp(logits) / np.exp(logits).sum(), atol=1e-6)


@pytest.mark.parametrize("typed, labels, notice", [
    ("a cat, a dog", ["a cat", "a dog"], None),
    ("a cat\na dog\n\n a  bird ", ["a cat", "a dog", "a bird"], None),
    ("a cat, A Cat, a dog, a cat", ["a cat", "a dog"], "2 repeated labels left out."),
    ("red,\x00blue\x1b", ["red", "blue"], None),
])
def test_labels_are_cleaned(typed, labels, notice):
    assert explore.parse_labels(typed) == (labels, notice)


@pytest.mark.parametrize("typed, message", [
    ("a cat", "Type at least 2 different labels, separated by commas; got 1."),
    ("a cat, a cat", "Type at least 2 different labels, separated by commas; got 1."),
    (" , ,\n", "The list of labels is empty"),
    (None, "The list of labels is missing"),
    (7, "The list of labels must be text; got the number 7."),
    (",".join(f"l{i}" for i in range(40)), "Type at most 32 labels; got 40."),
    ("x" * 300 + ", y", "A label is at most 200 characters"),
])
def test_bad_labels_get_a_message(typed, message):
    with pytest.raises(LimitError, match=re.escape(message)):
        explore.parse_labels(typed)


HUB_HINT = ("for words outside the shapes world, use a Hub CLIP (openai/clip-vit-base-patch32, "
            "wkcn/TinyCLIP-ViT-8M-16-Text-3M-YFCC15M; it needs the network once).")


def test_the_bundled_clip_names_each_unknown_word_in_a_query_and_reads_the_rest():
    clip = explore.load_clip(BUNDLED)
    assert explore.prepare_query(clip, "Big CRIMSON star") == ("Big CRIMSON star", None)
    assert explore.prepare_query(clip, "a scarlet star, very shiny") == (
        "a red star,", "In the query 'a scarlet star, very shiny': 'scarlet' is not a word this model knows: read as "
                       "'red'. 'very' is not a word this model knows: ignored. 'shiny' is not a word this model knows "
                       "(nearest words it knows: 'tiny', 'thing'): ignored.")
    result = explore.search_text(BUNDLED, "a scarlet star", 5)
    assert result.notice == "In the query 'a scarlet star': 'scarlet' is not a word this model knows: read as 'red'."
    with pytest.raises(LimitError) as refused:
        explore.search_text(BUNDLED, "a cat", 5)
    assert str(refused.value) == (
        "In the query 'a cat': 'cat' is not a word this model knows (nearest words it knows: 'at'): ignored. None of "
        "its words names a shape, colour, size or position this model knows, so it reads nothing; " + HUB_HINT)


def test_typed_labels_with_unknown_words_are_named_and_a_label_with_none_known_is_refused():
    image = datasets.data_image(3)[0]  # a small red star at the top right
    result = explore.zero_shot(BUNDLED, image, "scarlet, blue, green")
    assert result.labels == ["scarlet", "blue", "green"]
    assert result.notice == "In the label 'scarlet': 'scarlet' is not a word this model knows: read as 'red'."
    with pytest.raises(LimitError) as refused:
        explore.zero_shot(BUNDLED, image, "circle, star, hexagon")
    assert str(refused.value) == ("In the label 'hexagon': 'hexagon' is not a word this model knows: ignored. None of "
                                  "its words names a shape, colour, size or position this model knows, so it reads "
                                  "nothing; " + HUB_HINT)


def test_queries_are_cleaned_and_long_ones_cut_with_a_notice():
    clip = explore.load_clip(BUNDLED)
    assert explore.prepare_query(clip, "  a\tred\x00 star\n") == ("a red star", None)
    text, notice = explore.prepare_query(clip, "a red star " * 10)
    assert text == "a red star a red star a red star a red star a red star a red star a red star a"  # 22 words + start and end = 24 tokens
    assert notice == ('The query is 32 tokens long; this model\'s text encoder reads 24 (its start and end marks '
                      'included), so it searched for: "a red star a red star a red star a red star a red star a red star a red star a".')
    text, notice = explore.prepare_query(clip, "star " * 400)
    assert notice.startswith("The query had 1,999 characters; only the first 1,000 are read.")
    for blank in ("", "   ", "\x00\x01\n\t"):
        with pytest.raises(LimitError, match=re.escape("The query is empty: type what to look for, such as 'a large red star'.")):
            explore.prepare_query(clip, blank)
    with pytest.raises(LimitError, match="The query must be text; got a list."):
        explore.prepare_query(clip, ["a", "b"])


@pytest.mark.parametrize("k, message", [(0, "The number of results must be from 1 to 48; got 0."),
                                        (49, "The number of results must be from 1 to 48; got 49.")])
def test_bad_k(k, message):
    with pytest.raises(LimitError, match=re.escape(message)):
        explore.search_text(BUNDLED, "a red star", k)


def test_index_switches_to_faiss_and_agrees_with_the_exact_search():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(4_000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, approx = VectorIndex(vectors, faiss_from=10_000), VectorIndex(vectors, faiss_from=1_000)
    assert (exact.kind, approx.kind) == ("exact", "faiss-ivf")
    queries = vectors[:200] + 0.05 * rng.normal(size=(200, 32)).astype(np.float32)
    e_scores, e_rows = exact.search(queries, 10)
    a_scores, a_rows = approx.search(queries, 10)
    assert np.array_equal(e_rows[:, 0], np.arange(200)) and np.array_equal(a_rows[:, 0], np.arange(200))
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(a_rows, e_rows)])
    assert recall > 0.6, recall  # approximate: nprobe of the buckets only
    assert np.allclose(np.sort(e_scores, 1)[:, ::-1], e_scores)  # best first
    assert exact.search(vectors[0], 50_000)[1].shape == (1, 4_000)  # k is cut to the gallery


@pytest.fixture
def my_pictures(tmp_path):
    """Three pictures that are not in the gallery: a large shape on white, a photo-like noise, a drawing."""
    paths = []
    for i, colour in enumerate(((220, 40, 40), (40, 200, 60), (250, 220, 40))):
        image = Image.new("RGB", (200, 150), (255, 255, 255))
        image.paste(colour, (50 + 10 * i, 30, 150, 120))
        paths.append(tmp_path / f"mine{i}.png")
        image.save(paths[-1])
    return [str(p) for p in paths]


def test_a_sessions_images_are_searched_and_never_seen_by_another(my_pictures):
    mine, other = UserGallery(), UserGallery()
    message = mine.add(BUNDLED, my_pictures)
    assert message == "Added 3 images. Your gallery now holds 3."
    picture = explore.read_picture(my_pictures[1])
    result = explore.search_image(BUNDLED, picture, 5, mine)
    assert result.hits[0].yours and result.hits[0].name == "mine1.png" and result.hits[0].score == pytest.approx(1, abs=1e-4)
    assert result.searched == options.GALLERY_SIZE + 3
    assert not any(h.yours for h in explore.search_image(BUNDLED, picture, 48, other).hits)
    mine.clear()
    assert len(mine) == 0 and not any(h.yours for h in explore.search_image(BUNDLED, picture, 48, mine).hits)
    mine.add(BUNDLED, my_pictures[:1])
    assert len(copy.deepcopy(mine)) == 0  # a State's initial value copied for a new session starts empty


def test_adding_nothing_usable_says_why(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(LimitError, match=r"^No image could be added\. .*notes\.txt"):
        UserGallery().add(BUNDLED, [str(notes)])
    with pytest.raises(LimitError, match=re.escape("Choose one or more images, or a zip of images, to add.")):
        UserGallery().add(BUNDLED, [])


def test_projection_puts_images_and_their_captions_on_one_plane():
    p = explore.project_space(48, "PCA", options.GALLERY_SEED)
    assert p.image_xy.shape == p.text_xy.shape == (48, 2) and len(set(p.captions)) == 48
    assert int(p.unseen.sum()) == 12 and p.method == "PCA"
    assert 0.5 < p.pair_cosine <= 1.0
    # PCA of the 96 vectors: the projection's first axis has the larger spread
    both = np.concatenate([p.image_xy, p.text_xy])
    assert both[:, 0].var() >= both[:, 1].var()
    u = explore.project_space(12, "UMAP", 1)
    assert u.method in ("UMAP", "PCA") and (u.method == "UMAP" or u.notice.startswith("UMAP is not installed"))


# ---- a Hub CLIP, from the offline cache -------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_hub_clip():
    import torch
    from transformers import CLIPConfig, CLIPModel

    from demos.clip.model import new_processor

    hub_id = "openai/clip-vit-base-patch32"
    torch.manual_seed(0)
    processor = new_processor()
    config = CLIPConfig(text_config=dict(vocab_size=len(processor.tokenizer), hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=1, num_attention_heads=2, max_position_embeddings=16,
                                         bos_token_id=processor.tokenizer.bos_token_id,
                                         eos_token_id=processor.tokenizer.eos_token_id,
                                         pad_token_id=processor.tokenizer.pad_token_id),
                        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                                           image_size=32, patch_size=8),
                        projection_dim=16)
    folder = hub_snapshot_dir(hub_id)
    CLIPModel(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    checkpoints.clear_cache()
    yield hub_id
    checkpoints.clear_cache()
    explore._base.pop(hub_id, None)


def test_a_hub_clip_searches_the_sample_photos(tiny_hub_clip):
    clip = explore.load_clip(tiny_hub_clip)
    assert type(clip.model).__name__ == "CLIPModel" and clip.side == 32 and not clip.bundled
    names = [p.stem.replace("_", " ") for p in explore.photo_files()]
    assert "astronaut" in names and "chelsea" in names
    result = explore.search_text(tiny_hub_clip, "a cat", 5)
    assert result.notice is None and result.query == "a cat"  # a Hub CLIP reads any word: no notice
    assert result.searched == len(explore.base_gallery(tiny_hub_clip)) >= 20
    assert all(h.name in names and h.image.shape == (options.KEPT_SIDE, options.KEPT_SIDE, 3) for h in result.hits)
    # an image search with a photo of the gallery finds it (random weights still map equal inputs together)
    astronaut = explore.read_picture(str([p for p in explore.photo_files() if p.stem == "astronaut"][0]))
    assert explore.search_image(tiny_hub_clip, astronaut, 1).hits[0].name == "astronaut"
    assert explore.zero_shot(tiny_hub_clip, astronaut, options.PHOTO_LABELS).probabilities.sum() == pytest.approx(1)


def test_a_hub_clip_that_is_not_cached_says_it_needs_the_network():
    with pytest.raises(LimitError, match=re.escape(encoders.NEEDS_NETWORK)):
        explore.search_text("wkcn/TinyCLIP-ViT-8M-16-Text-3M-YFCC15M", "a cat", 5)
    assert explore.search_text(BUNDLED, "a red circle", 1).hits  # the bundled model stays usable
    with pytest.raises(LimitError, match=re.escape("Unknown model 'evil/model'; choose one of")):
        explore.search_text("evil/model", "a cat", 5)


def test_a_closed_sessions_gallery_is_emptied_by_its_state_delete_callback(my_pictures):
    """shared.ui.release_sessions_on_close calls every State's delete_callback when a page closes:
    the CLIP tab's gallery State empties the session's images."""
    import gradio as gr

    from demos.clip.ui import build

    demo = build()
    states = [b for b in demo.blocks.values() if isinstance(b, gr.State) and isinstance(b.value, UserGallery)]
    assert len(states) == 1 and states[0].delete_callback is not None
    gallery = copy.deepcopy(states[0].value)  # what a new session gets
    gallery.add(BUNDLED, my_pictures)
    states[0].delete_callback(gallery)
    assert len(gallery) == 0 and gallery.images == [] and gallery._embedded == {}

"""The CLIP tab through its HTTP API, as a user's script would call it: good calls give what the tab
shows, bad values a message in the app's own words, a gallery upload stays in its session, and the
app keeps serving."""

import re
import zipfile

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from demos.clip import options
from tests.api.visitors import visitor


@pytest.fixture(scope="module")
def client(suite_url):
    return visitor(suite_url)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from shared.datasets import make_shapes

    folder = tmp_path_factory.mktemp("clip-files")
    out = {}
    out["star"] = folder / "star.png"  # data image 3, enlarged: a small red star at the top right
    Image.fromarray(make_shapes(1, options.DEFAULT_IMAGE_SEED).images[0].repeat(8, 0).repeat(8, 1)).save(out["star"])
    out["text"] = folder / "notes.png"
    out["text"].write_text("not an image")
    out["zip"] = folder / "holiday.zip"
    with zipfile.ZipFile(out["zip"], "w") as archive:
        for i, colour in enumerate(((230, 30, 30), (30, 30, 230))):
            image = Image.new("RGB", (64, 48), colour)
            path = folder / f"flat{i}.png"
            image.save(path)
            archive.write(path, f"pictures/flat{i}.png")
        archive.writestr("../escape.png", (folder / "flat0.png").read_bytes())
        archive.writestr("readme.txt", "hello")
    return out


def table(summary: str) -> list[tuple[int, float, str, str]]:
    """The summary's table of hits: (rank, cosine, caption or file, tags), Markdown escapes undone."""
    rows = re.findall(r"^\| (\d+) \| (-?\d\.\d{3}) \| (.*) \| (.*) \|$", summary, flags=re.M)
    return [(int(r), float(s), re.sub(r"\\(.)", r"\1", name), tags) for r, s, name, tags in rows]


def test_text_search_gives_ranked_hits_with_scores(client):
    sheet, summary = client.predict(options.BUNDLED, "a small green triangle", 6, api_name="/clip_search_text")
    rows = table(summary)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    scores = [r[1] for r in rows]
    assert scores == sorted(scores, reverse=True) and all("small green triangle" in r[2] for r in rows), rows
    assert Image.open(sheet).size == (6 * (128 + 4) + 4, 128 + 14 + 8)  # one row of six 128-pixel tiles
    assert summary.startswith("**6 nearest of 10,000 images** to *a small green triangle*, by cosine similarity; the query took ")


def test_image_search_and_zero_shot_of_an_upload(client, files):
    sheet, summary = client.predict(options.BUNDLED, handle_file(str(files["star"])), 3, api_name="/clip_search_image")
    assert summary.startswith("**3 nearest of 10,000 images** to *an image*")
    assert all("small red star at the top right" in r[2] and r[3] == "unseen pair" for r in table(summary)), summary
    figure, text = client.predict(options.BUNDLED, handle_file(str(files["star"])), "a red circle, a red star, a blue star",
                                  api_name="/clip_zero_shot")
    assert re.match(r"^\*\*a red star\*\*: \d+\.\d%\. ", text), text


def test_a_long_query_is_cut_with_a_notice(client):
    sheet, summary = client.predict(options.BUNDLED, "a red star " * 10, 3, api_name="/clip_search_text")
    assert '⚠ The query is 32 tokens long' in summary
    assert 'so it searched for: "a red star a red star a red star a red star a red star a red star a red star a".' in summary


def test_a_query_with_an_unknown_word_says_which_and_searches_the_rest(client):
    sheet, summary = client.predict(options.BUNDLED, "a scarlet star", 3, api_name="/clip_search_text")
    assert "⚠ In the query 'a scarlet star': 'scarlet' is not a word this model knows: read as 'red'." in summary
    assert all("red star" in r[2] for r in table(summary)), summary  # it searched for 'a red star'


def test_a_gallery_upload_is_searched_in_its_session_only(client, suite_url, files):
    message, _ = client.predict(options.BUNDLED, [handle_file(str(files["zip"]))], api_name="/clip_add_images")
    assert message.startswith("Added 2 images. Skipped 2: holiday.zip/../escape.png (unsafe name); "
                              "holiday.zip/readme.txt (not an image)."), message
    assert message.endswith("Your gallery now holds 2.")
    sheet, summary = client.predict(options.BUNDLED, handle_file(str(files["zip"].parent / "flat1.png")), 3,
                                    api_name="/clip_search_image")
    assert table(summary)[0] == (1, 1.0, "holiday.zip/pictures/flat1.png", "yours")
    assert "of 10,002 images" in summary
    stranger = visitor(suite_url)  # another visitor: a session of their own
    sheet, summary = stranger.predict(options.BUNDLED, handle_file(str(files["zip"].parent / "flat1.png")), 48,
                                      api_name="/clip_search_image")
    assert "of 10,000 images" in summary and not any(r[3] == "yours" for r in table(summary))
    assert client.predict(api_name="/clip_clear_images") == "Your 2 images were removed; the gallery is the default one again."


def test_live_training_streams_a_matrix_that_turns_diagonal(client):
    heatmap, curves, status = client.predict(60, 0, api_name="/clip_train_reset")
    assert status.startswith("step 0 of 60")
    *_, status = client.predict(60, 0, api_name="/clip_train")
    assert re.match(r"^step 60 of 60 · loss \d+\.\d{3} · temperature \d\.\d{3} · \d+% of the shown images", status), status


def test_projection(client):
    figure, text = client.predict(24, "PCA", 1, api_name="/clip_projection")
    assert text.startswith("24 held-out images (squares) and their captions (diamonds); 6 in red are")


def test_a_hub_model_offline_says_it_needs_the_network(client):
    with pytest.raises(AppError, match=re.escape("The Hub CLIPs come from the Hugging Face Hub: this needs the network once")):
        client.predict("wkcn/TinyCLIP-ViT-8M-16-Text-3M-YFCC15M", "a cat", 5, api_name="/clip_search_text")


@pytest.mark.parametrize("api_name, args, message", [
    ("/clip_search_text", (options.BUNDLED, "", 5), "The query is empty: type what to look for, such as 'a large red star'."),
    ("/clip_search_text", (options.BUNDLED, "  \x00\n ", 5), "The query is empty"),
    ("/clip_search_text", (options.BUNDLED, None, 5), "The query is missing"),
    ("/clip_search_text", (options.BUNDLED, 42, 5), "The query must be text; got the number 42."),
    ("/clip_search_text", (options.BUNDLED, "a red star", 0), "The number of results must be from 1 to 48; got 0."),
    ("/clip_search_text", (options.BUNDLED, "a red star", "many"), "The number of results must be"),
    ("/clip_search_text", ("evil/model", "a red star", 5), "Unknown model 'evil/model'; choose one of"),
    ("/clip_search_image", (options.BUNDLED, None, 5), "There is no query image: upload one, or take one from the data"),
    ("/clip_search_image", (options.BUNDLED, "TEXT", 5), "The file is not an image that can be opened"),
    ("/clip_zero_shot", (options.BUNDLED, "STAR", "a cat"), "Type at least 2 different labels, separated by commas; got 1."),
    ("/clip_zero_shot", (options.BUNDLED, "STAR", ""), "The list of labels is empty"),
    ("/clip_zero_shot", (options.BUNDLED, "STAR", "circle, hexagon"),
     "In the label 'hexagon': 'hexagon' is not a word this model knows: ignored. None of its words names a shape, "
     "colour, size or position this model knows, so it reads nothing; for words outside the shapes world, use a Hub CLIP"),
    ("/clip_search_text", (options.BUNDLED, "a cat", 5),
     "In the query 'a cat': 'cat' is not a word this model knows (nearest words it knows: 'at'): ignored. None of"),
    ("/clip_data_image", (-1,), "The seed must be from 0 to 4294967295; got -1."),
    ("/clip_add_images", (options.BUNDLED, []), "Choose one or more images, or a zip of images, to add."),
    ("/clip_add_images", (options.BUNDLED, ["TEXT"]), "No image could be added. Added no images. Skipped 1: notes.png (not an image)."),
    ("/clip_add_images", (options.BUNDLED, 5), "This request holds a value the app cannot read where it expects a list of files."),
    ("/clip_train_reset", (5000, 0), "The number of training steps must be from 10 to 1000; got 5000."),
    ("/clip_train", (60, -3), "The seed must be from 0 to 4294967295; got -3."),
    ("/clip_projection", (500, "PCA", 0), "The number of images must be from 12 to 120; got 500."),
    ("/clip_projection", (24, "t-SNE", 0), "Unknown projection 't-SNE'; choose one of 'PCA', 'UMAP'."),
])
def test_bad_values_get_a_message_and_the_app_keeps_serving(suite_url, files, api_name, args, message):
    client = visitor(suite_url)  # a fresh session: no live run or gallery left from another test
    swap = {"TEXT": handle_file(str(files["text"])), "STAR": handle_file(str(files["star"]))}
    args = [[swap.get(x, x) for x in a] if isinstance(a, list) else swap.get(a, a) if isinstance(a, str) else a for a in args]
    with pytest.raises(AppError, match=re.escape(message)):
        client.predict(*args, api_name=api_name)
    _, caption = client.predict(3, api_name="/clip_data_image")  # still serving
    assert caption == "*a small red star at the top right* (data image 3)"

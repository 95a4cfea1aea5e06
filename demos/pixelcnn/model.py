"""The PixelCNN demo's network: a gated PixelCNN (van den Oord et al. 2016) over the colours the
`shapes` data uses.

The `shapes` images use exactly 146 colours (a dark background, six shape colours, and the blends
their anti-aliased edges make), so each pixel is one categorical over that palette, and an image's
probability is the product of its pixels' given the pixels before them in raster order:
    p(x) = prod_{i,j} p(x_ij | x_<(i,j))
It is a proper distribution over 8-bit RGB images (colours outside the palette get probability 0),
so its bits per dimension, -log2 p(x) / (32 * 32 * 3), compare with any other model's on the same data.

Two stacks keep the order without a blind spot: the *vertical* stack sees every row above the pixel
(its kernel masked below the centre row), the *horizontal* stack the pixels to the left in the
pixel's row; the vertical feeds the horizontal at every layer. Gates: tanh(a) * sigmoid(b).

Sampling runs pixel by pixel; the vertical stack at row i depends only on the rows above i, so it is
computed once per row (`row_state`), and each pixel re-runs only the horizontal stack on its own row
(`row_logits`): about 30x less work than the whole network per pixel, and exactly the same logits
(tests/unit/test_pixelcnn_model.py). Within a row, a horizontal activation at column p depends only on
the pixels left of p, so `RowSampler` keeps each layer's activations and computes one column per
pixel, as small matrix products: 10x faster again on a CPU, the same logits.

Told what to draw (label_dim > 0; van den Oord et al. 2016's conditional PixelCNN): the labels a
picture has (shape, colour, size, position), each head's embedding summed into one vector y, add a
learned bias V_l y to every layer's gates in both stacks. Each head has one more index, "not told"
(NOT_TOLD): a model trained with heads dropped learns p(x | some labels) and p(x) itself (every head
not told), so one network gives the exact likelihood of any picture and, by classifier-free guidance
(Ho & Salimans 2022) applied to each pixel's logits, sharper samples of what it is told:
    logits = logits(x | y) + w * (logits(x | y) - logits(x | nothing told))
The label weights start at zero, so a model grown from an unconditional one starts as that model.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from shared.checkpoints import SafetensorsHubMixin
from shared.told import LABEL_HEADS, NOT_TOLD, not_told  # noqa: F401 (the model's label heads, imported from here)

BUNDLED_NAME = "pixelcnn-shapes"


class MaskedConv2d(nn.Conv2d):
    """A conv whose kernel is multiplied by a fixed 0/1 mask (what a pixel may see)."""

    def __init__(self, c_in: int, c_out: int, kernel: tuple[int, int], mask: torch.Tensor, dilation: int = 1) -> None:
        kh, kw = kernel
        super().__init__(c_in, c_out, kernel, padding=(dilation * (kh // 2), dilation * (kw // 2)), dilation=dilation)
        self.register_buffer("mask", mask[None, None].expand(c_out, c_in, kh, kw).clone(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, self.padding, self.dilation)


def vertical_conv(c_in: int, c_out: int, k: int, mask_centre: bool, dilation: int = 1) -> MaskedConv2d:
    """A k x k conv that sees the rows above (and its own row unless mask_centre), never below."""
    mask = torch.ones(k, k)
    mask[k // 2 + 1:] = 0
    if mask_centre:
        mask[k // 2] = 0
    return MaskedConv2d(c_in, c_out, (k, k), mask, dilation)


def horizontal_conv(c_in: int, c_out: int, k: int, mask_centre: bool, dilation: int = 1) -> MaskedConv2d:
    """A 1 x k conv along the row that sees the pixels to the left (and itself unless mask_centre)."""
    mask = torch.ones(1, k)
    mask[0, k // 2 + 1:] = 0
    if mask_centre:
        mask[0, k // 2] = 0
    return MaskedConv2d(c_in, c_out, (1, k), mask, dilation)


def gate(x: torch.Tensor) -> torch.Tensor:
    a, b = x.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


class GatedLayer(nn.Module):
    """One gated layer of both stacks; the horizontal stack keeps a residual path. With label_dim,
    the labels' vector y adds a bias to each stack's gates (zero at the start)."""

    def __init__(self, c: int, k: int = 3, dilation: int = 1, label_dim: int = 0) -> None:
        super().__init__()
        self.v_conv = vertical_conv(c, 2 * c, k, False, dilation)
        self.h_conv = horizontal_conv(c, 2 * c, k, False, dilation)
        self.v_to_h = nn.Conv2d(2 * c, 2 * c, 1)
        self.h_out = nn.Conv2d(c, c, 1)
        if label_dim:
            self.v_label, self.h_label = nn.Linear(label_dim, 2 * c), nn.Linear(label_dim, 2 * c)
            for lin in (self.v_label, self.h_label):
                nn.init.zeros_(lin.weight)
                nn.init.zeros_(lin.bias)

    def vertical(self, v: torch.Tensor, y: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """(the vertical stack's gate input, what the horizontal stack takes from it), both (B, 2C, H, W)."""
        v_feat = self.v_conv(v)
        if y is None:
            return v_feat, self.v_to_h(v_feat)
        v_feat = v_feat + self.v_label(y)[:, :, None, None]
        return v_feat, self.v_to_h(v_feat) + self.h_label(y)[:, :, None, None]

    def forward(self, v: torch.Tensor, h: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        v_feat, from_v = self.vertical(v, y)
        return gate(v_feat), self.horizontal(h, from_v)

    def horizontal(self, h: torch.Tensor, from_v: torch.Tensor) -> torch.Tensor:
        return h + self.h_out(gate(self.h_conv(h) + from_v))


class GatedPixelCNN(
    nn.Module,
    SafetensorsHubMixin,
    library_name="genai-demos",
    tags=["pixelcnn", "autoregressive", "unconditional-image-generation", "shapes"],
    license="mit",
):
    """Logits over the palette for every pixel, each from the pixels before it in raster order.

    palette: the colours (RGB, 0-255) a pixel can take, index = class; x: (B, H, W) palette indices;
    labels: (B, 4) long, one column per LABEL_HEADS, NOT_TOLD where a head is not told (None: nothing
    told; a model with label_dim 0 takes no labels).
    """

    def __init__(self, palette: list[list[int]] | None = None, channels: int = 64,
                 dilations: tuple[int, ...] | list[int] = (1, 2, 1, 4, 1, 2, 1, 1), kernel: int = 3,
                 label_dim: int = 0) -> None:
        super().__init__()
        self.palette = [list(map(int, c)) for c in (palette or [[0, 0, 0], [255, 255, 255]])]
        self.dilations = tuple(int(d) for d in dilations)
        self.label_dim = int(label_dim)
        k = len(self.palette)
        self.embed = nn.Embedding(k, channels)
        self.v_in = vertical_conv(channels, channels, kernel, True)
        self.h_in = horizontal_conv(channels, channels, kernel, True)
        self.layers = nn.ModuleList(GatedLayer(channels, kernel, d, self.label_dim) for d in self.dilations)
        if self.label_dim:  # one table per head, its last row "not told"
            self.label_embed = nn.ModuleList(nn.Embedding(n + 1, self.label_dim) for n in NOT_TOLD)
        self.out = nn.Conv2d(channels, k, 1)
        # rows above a pixel that can reach it: the first conv's, then each layer's (kernel // 2) * dilation
        self.rows_seen = (kernel // 2) * (1 + sum(self.dilations))

    @property
    def n_colours(self) -> int:
        return len(self.palette)

    @property
    def told(self) -> bool:
        """Whether the model can be told labels."""
        return self.label_dim > 0

    def label_vector(self, labels: torch.Tensor | None, batch: int) -> torch.Tensor | None:
        """(B, label_dim): the sum of each head's embedding (None for a model that takes no labels)."""
        if not self.told:
            if labels is not None:
                raise ValueError("This PixelCNN was trained without labels; it cannot be told what to draw.")
            return None
        labels = not_told(batch, self.embed.weight.device) if labels is None else labels
        return sum(table(labels[:, k]) for k, table in enumerate(self.label_embed))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(B, H, W) palette indices -> (B, n_colours, H, W) logits."""
        return self.from_embedding(self.embed(x).permute(0, 3, 1, 2), labels)

    def from_embedding(self, e: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(B, C, H, W) embedded pixels -> logits (the receptive field is a gradient with respect to e)."""
        y = self.label_vector(labels, len(e))
        v, h = self.v_in(e), self.h_in(e)
        for layer in self.layers:
            v, h = layer(v, h, y)
        return self.out(F.elu(h))

    def nats(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """(B,) -log p(x) of each image, in nats (nothing told: the exact unconditional likelihood)."""
        return F.cross_entropy(self(x, labels), x, reduction="none").sum((1, 2))

    # ---- sampling, row by row ---------------------------------------------------------------

    def row_state(self, x: torch.Tensor, i: int, labels: torch.Tensor | None = None) -> list[torch.Tensor]:
        """What the horizontal stack of row i takes from the vertical one (and the labels), layer by
        layer: each (B, 2C, 1, W). Depends only on rows above i, so it holds for every pixel of the row."""
        top = max(0, i - self.rows_seen)
        e = self.embed(x[:, top:i + 1]).permute(0, 3, 1, 2)  # the rows that can reach row i
        y = self.label_vector(labels, len(x))
        v, state = self.v_in(e), []
        for layer in self.layers:
            v_feat, from_v = layer.vertical(v, y)
            state.append(from_v[:, :, -1:])
            v = gate(v_feat)
        return state

    def row_logits(self, x: torch.Tensor, i: int, state: list[torch.Tensor], upto: int | None = None) -> torch.Tensor:
        """(B, n_colours, upto) logits of row i's first `upto` pixels (all by default), from the
        pixels to their left and the row's vertical state."""
        w = x.shape[2] if upto is None else upto
        h = self.h_in(self.embed(x[:, i:i + 1, :w]).permute(0, 3, 1, 2))
        for layer, from_v in zip(self.layers, state):
            h = layer.horizontal(h, from_v[..., :w])
        return self.out(F.elu(h))[:, :, 0]


class RowSampler:
    """The horizontal stack one column at a time, for drawing row i pixel by pixel.

        rows = RowSampler(model, batch)
        rows.start(model.row_state(x, i))
        for p in range(W): logits = rows.next_logits(x[:, i, p - 1] if p else None)  # (B, n_colours) at p

    Each layer's 1 x 3 horizontal kernel, masked, sees columns p - d and p (dilation d); the first
    conv sees p - 1 only. So a column's activations follow from the pixel left of it and columns
    already computed: the cache holds them, (B, C, W) per layer."""

    def __init__(self, model: GatedPixelCNN, batch: int, width: int = 32) -> None:
        self.model = model
        c = model.embed.embedding_dim
        self.w_in, self.b_in = model.h_in.weight[:, :, 0, 0], model.h_in.bias  # the only unmasked tap: p - 1
        self.taps = [(layer.h_conv.dilation[1], layer.h_conv.weight[:, :, 0, 0], layer.h_conv.weight[:, :, 0, 1],
                      layer.h_conv.bias, layer.h_out.weight[:, :, 0, 0], layer.h_out.bias) for layer in model.layers]
        self.w_out, self.b_out = model.out.weight[:, :, 0, 0], model.out.bias
        self.cache = [torch.zeros(batch, c, width) for _ in range(len(model.layers) + 1)]
        self.state: list[torch.Tensor] = []
        self.p = 0

    def start(self, state: list[torch.Tensor]) -> None:
        """A new row, with its vertical state (model.row_state)."""
        self.state, self.p = [s[:, :, 0] for s in state], 0

    def next_logits(self, left: torch.Tensor | None) -> torch.Tensor:
        """The logits of the next column, given the codes (B,) of the pixel left of it (None at p = 0)."""
        p, cache = self.p, self.cache
        h = self.b_in.expand(len(cache[0]), -1)
        if left is not None:
            h = h + F.linear(self.model.embed(left), self.w_in)
        cache[0][:, :, p] = h
        for k, (d, w_left, w_here, b, w_out, b_out) in enumerate(self.taps):
            a = F.linear(h, w_here, b) + self.state[k][:, :, p]
            if p >= d:
                a = a + F.linear(cache[k][:, :, p - d], w_left)
            h = h + F.linear(gate(a), w_out, b_out)
            cache[k + 1][:, :, p] = h
        self.p += 1
        return F.linear(F.elu(h), self.w_out, self.b_out)


class PlainPixelCNN(nn.Module):
    """The first PixelCNN's stack (van den Oord et al. 2016a), kept to show its blind spot: 3x3
    convs masked to the rows above and the pixels to the left, type A (centre hidden) then type B.
    Stacked, the masks never reach the pixels above and to the right of the current one beyond the
    first layer's corner: a growing wedge of earlier pixels the prediction cannot see. All weights
    are 1 and nothing is nonlinear, so the gradient of an output is > 0 exactly where it can see."""

    def __init__(self, layers: int) -> None:
        super().__init__()
        a, b = torch.ones(3, 3), torch.ones(3, 3)
        a[1, 1:], a[2:] = 0, 0
        b[1, 2:], b[2:] = 0, 0
        self.convs = nn.ModuleList(MaskedConv2d(1, 1, (3, 3), a if i == 0 else b) for i in range(layers))
        for conv in self.convs:
            nn.init.ones_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) -> (B, 1, H, W)."""
        for conv in self.convs:
            x = conv(x)
        return x

"""The receptive field of one pixel: which earlier pixels its predicted distribution can depend on.

For the bundled gated PixelCNN it is measured, not drawn: the gradient of the pixel's logits with
respect to every input pixel's embedding, |d logits(r, c) / d e_ij|, is exactly 0 where the masks cut
every path and > 0 elsewhere (its size says how much each pixel moves the prediction). Beside it, the
first PixelCNN's plain stack of masked convolutions with as many layers (model.PlainPixelCNN): its
field misses a wedge of earlier pixels above and to the right, the blind spot that the gated
network's separate vertical and horizontal stacks remove.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demos.pixelcnn import options


@dataclass(frozen=True)
class Field:
    row: int
    col: int
    gated: np.ndarray  # (32, 32) float: |d logits(row, col) / d pixel|, 0 where it cannot see
    plain: np.ndarray  # (32, 32) bool: what the plain masked stack of the same depth can see
    layers: int  # the depth both stacks have

    @property
    def before(self) -> np.ndarray:
        """(32, 32) bool: the pixels before (row, col) in raster order, all a prediction may use."""
        index = np.arange(options.SIDE * options.SIDE).reshape(options.SIDE, options.SIDE)
        return index < self.row * options.SIDE + self.col

    @property
    def blind_spot(self) -> np.ndarray:
        """Earlier pixels the plain stack cannot see although it is deep enough to reach them."""
        return self.before & ~self.plain & self._plain_span

    @property
    def _plain_span(self) -> np.ndarray:
        """The pixels within the plain stack's reach (layers rows up, layers columns either side)."""
        r, c = np.mgrid[:options.SIDE, :options.SIDE]
        return (self.row - r <= self.layers) & (np.abs(c - self.col) <= self.layers)


def receptive_field(row: object, col: object, image: int = 0) -> Field:
    """The field of pixel (row, col), measured on held-out image `image` (the gradient's size depends
    on the image; where it is 0 does not)."""
    import torch

    from demos.pixelcnn.explore import held_out_image, load_model
    from demos.pixelcnn.model import PlainPixelCNN
    from demos.pixelcnn.sampling import to_codes

    row, col = options.PIXEL.check(row), options.PIXEL.check(col)
    model = load_model()
    codes, _ = to_codes(held_out_image(image)[None], model.palette)
    e = model.embed(torch.from_numpy(codes)).permute(0, 3, 1, 2).detach().requires_grad_(True)
    # autograd.grad, not backward(): the shared model's parameters get no .grad from a visitor
    (grad,) = torch.autograd.grad(model.from_embedding(e)[0, :, row, col].square().sum(), e)
    gated = grad[0].norm(dim=0).numpy().astype(np.float64)

    layers = 1 + len(model.dilations)  # the gated net's first masked conv and its gated layers
    x = torch.zeros(1, 1, options.SIDE, options.SIDE, dtype=torch.float64, requires_grad=True)
    (plain,) = torch.autograd.grad(PlainPixelCNN(layers).double()(x)[0, 0, row, col], x)
    return Field(row, col, gated, plain[0, 0].numpy() > 0, layers)

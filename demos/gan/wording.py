"""The words both GAN front ends show (title, section introductions, widget help), written once so
the Gradio tab and the Streamlit page say the same thing."""

from __future__ import annotations

TITLE = "GAN: a generator and a discriminator, trained against each other"
SUBTITLE = ("Walk the latent space of a GAN trained on shapes, then train one live on 2-D points and watch "
            "mode collapse happen, and get fixed.")
WALK_HEADING = "1 · Walk the latent space"
PSI_INFO = ("Truncation pulls every latent towards the centre of the latent space, where the generator "
            "saw the most training: lower psi gives cleaner, more typical images but less variety; "
            "psi = 0 gives one average image.")
WAYPOINTS_INFO = "Click grid tiles to add them, or type seeds separated by commas."
INTERPOLATION_INFO = ("slerp follows the sphere where Gaussian latents live; lerp cuts through "
                      "the middle, where images fade")
ARITHMETIC_HEADING = "Latent arithmetic"
ARITHMETIC_INTRO = ("A direction in latent space from labelled samples: the mean latent of "
                    "samples the shapes classifier reads as one value minus the mean of another. Adding it moves a "
                    "sample towards the first.")
CONDITIONAL_HEADING = "Tell the GAN what to draw"
CONDITIONAL_INTRO = (
    "A second GAN, told the class: its generator gets the shape and the colour beside the noise (and a size "
    "and a position, drawn from each tile's seed), and its discriminator judges whether a picture is real "
    "*and* of that class (a projection discriminator). The GAN above draws no blue and no purple at all; "
    "told to, this one cannot drop them. Pick a shape and a colour, or \"any\". Four (shape, colour) pairs "
    "were never in its training data, marked *: can it draw what it never saw?")
HELD_OUT_NOTE = ("Pairs marked * were held out of training: the generator saw that shape and that colour, "
                 "never together.")
CLASS_WALK_HEADING = "What the label controls, and what the noise controls"
SHARES_HEADING = "Mode collapse, measured"
SHARES_INTRO = ("The colours the shapes classifier reads in samples of the training data, of the unconditional GAN "
                "and of the conditional one (asked for every class equally often).")
TRUNCATION_CAPTION = "Truncation for this class: the same latents at psi 1, 0.7, 0.4 and 0 (the share read as asked)"
TRAINING_HEADING = "2 · Train a GAN live on 2-D points"
TRAINING_INTRO = ("The generator maps noise to points; the discriminator "
                  "colours the plane by how real it finds each place; the arrows show where the generator's loss "
                  "pushes its points. Each session trains its own networks.")
# the live-training settings' labels, by ToySettings field
SETTING_LABELS = {
    "dataset": "Data set", "loss": "Loss", "z_dim": "Noise dimensions", "g_hidden": "Generator width",
    "g_layers": "Generator hidden layers", "d_hidden": "Discriminator width", "d_layers": "Discriminator hidden layers",
    "lr_g": "Generator learning rate", "lr_d": "Discriminator learning rate",
    "d_steps": "Discriminator steps per generator step", "r1_gamma": "R1 gradient penalty weight",
    "batch": "Batch size", "seed": "Seed",
}
FILMSTRIP_CAPTION = "Filmstrip: every frame with the discriminator's p(real)"
ARITHMETIC_STRIP_CAPTION = "From the sample (left) to the moved sample (right)"
SETTINGS_HEADING = "Settings (changing one starts a new run)"
CONDITIONAL_GRID_CAPTION = "Asked-for samples (green frame: the classifier reads the asked class)"
SHARES_BUTTON = "Measure the colours each GAN draws"

"""CLIP: an image encoder and a text encoder trained so that an image and its caption land close together."""

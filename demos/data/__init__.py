"""Data & judge: the shared data sets and the classifier that scores every image generator."""

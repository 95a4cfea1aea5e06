"""The Alignment tab: a next-token predictor taught to chat (SFT), tuned on preferences (DPO), and
tuned live on the audience's votes."""

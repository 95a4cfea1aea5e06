"""The GPT tab: chat with a small GPT and look at its tokens, next-token distribution and attention."""

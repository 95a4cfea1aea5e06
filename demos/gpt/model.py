"""The bundled GPT: transformers' GPT2LMHeadModel at a few million parameters, with a byte-level BPE
tokenizer trained on the corpus by the `tokenizers` library, saved side by side so that
`AutoTokenizer.from_pretrained` and `AutoModelForCausalLM.from_pretrained` of the folder work as for
any Hub model.
"""

from __future__ import annotations

from shared import heavy

BUNDLED_NAME = "gpt-kjv"
VOCAB_SIZE = 2048
CONTEXT = 256  # tokens the bundled model sees at once (GPT-2 itself: 1024)
END = "<|endoftext|>"


def train_tokenizer(text: str, vocab_size: int = VOCAB_SIZE):  # noqa: ANN201 (a PreTrainedTokenizerFast)
    """A byte-level BPE tokenizer (GPT-2's scheme: any string round-trips, no unknown token) learnt
    from `text`, as a transformers tokenizer ready for save_pretrained."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    heavy.ready("transformers")
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[END],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(text.splitlines(keepends=True), trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token=END, eos_token=END, unk_token=END,
                                   model_max_length=CONTEXT, clean_up_tokenization_spaces=False)


def bundled_config(vocab_size: int = VOCAB_SIZE, n_layer: int = 4, n_head: int = 4, n_embd: int = 192):  # noqa: ANN201
    """GPT-2's architecture, shrunk: 4 layers of 4 heads, 192 wide, 256 positions: 2.2 M parameters
    (8.7 MB in float32), so it trains on 2 CPU cores in about an hour and generates hundreds of tokens
    a second there. Dropout is off: the corpus is seen only a few times."""
    heavy.ready("transformers")
    from transformers import GPT2Config

    return GPT2Config(vocab_size=vocab_size, n_positions=CONTEXT, n_embd=n_embd, n_layer=n_layer, n_head=n_head,
                      resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0,
                      tie_word_embeddings=True)

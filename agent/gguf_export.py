"""Convert a GGUF chat model into a Hugging Face safetensors folder that vLLM can serve.

Runs as a script under the vLLM environment's Python (it needs torch, transformers, gguf and accelerate, none of
which the agent itself imports): `python agent/gguf_export.py MODEL.gguf OUT_DIR`. `shopassist llm export` calls it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def export(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    if not tokenizer.chat_template:
        raise SystemExit(f"{gguf} carries no chat template: vLLM could not serve chat completions from it")
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16)
    # The weights are dequantized on load; a leftover GGUF quantization entry would make vLLM expect GGUF tensors.
    model.config.quantization_config = None
    model.hf_quantizer = None
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: gguf_export.py MODEL.gguf OUT_DIR")
    export(Path(sys.argv[1]), Path(sys.argv[2]))

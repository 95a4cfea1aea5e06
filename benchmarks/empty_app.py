"""The baseline of benchmarks/startup.py: an empty Gradio app, launched the way app.py is."""

import argparse

import gradio as gr

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()
    with gr.Blocks() as demo:
        gr.Markdown("empty")
    demo.launch(server_name=args.host, server_port=args.port)

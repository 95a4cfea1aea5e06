"""shared.training.through_forward under DistributedDataParallel: two processes on the CPU (gloo), each
with its own batch. A loss from a method of the network, run through the wrapper's forward, leaves
both processes with the same (averaged) gradients; the same method called on the module the wrapper
holds leaves each with its own, which is what the VAE, flow, CLIP, Stable Diffusion and conditional
GAN trainers did before."""

from __future__ import annotations

import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from shared.training import through_forward


class Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = torch.nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a(x)

    def loss(self, x: torch.Tensor) -> torch.Tensor:  # a method that is not the forward
        return (self.a(x) ** 2).sum()


def gradients(rank: int, port: int, out) -> None:
    """Each process's gradient of the method's loss: run through the wrapper's forward, then called past it."""
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        torch.manual_seed(0)
        model = torch.nn.parallel.DistributedDataParallel(Net())
        x = torch.full((4, 3), float(rank + 1))  # each process its own batch
        through_forward(model, lambda net, b: net.loss(b), x).backward()
        shared = model.module.a.weight.grad.tolist()  # plain lists: a tensor's memory leaves with its process
        assert "forward" not in model.module.__dict__  # the class's forward is back
        model.zero_grad(set_to_none=True)
        model.module.loss(x).backward()
        out.put((rank, shared, model.module.a.weight.grad.tolist()))
        # both ranks done before either tears its group down: one rank destroying its gloo pairs while the
        # other still used them aborted a process ("terminate called without an active exception") once
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_a_method_run_through_the_wrappers_forward_shares_the_gradients_and_one_called_past_it_does_not():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = mp.get_context("spawn").SimpleQueue()
    mp.spawn(gradients, args=(port, out), nprocs=2, join=True)
    grads = {rank: (torch.tensor(shared), torch.tensor(alone)) for rank, shared, alone in (out.get(), out.get())}
    (shared0, alone0), (shared1, alone1) = grads[0], grads[1]
    assert torch.equal(shared0, shared1)
    assert not torch.allclose(alone0, alone1)
    assert torch.allclose(shared0, (alone0 + alone1) / 2, atol=1e-6)  # the mean of the two processes' own


def test_without_a_wrapper_it_is_the_method_itself():
    net = Net()
    x = torch.ones(2, 3)
    assert torch.equal(through_forward(net, lambda m, b: m.loss(b), x), net.loss(x))

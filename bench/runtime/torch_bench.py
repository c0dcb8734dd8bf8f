#!/usr/bin/python3
"""The same models as bench-runtime.c in PyTorch on the CPU: same sizes, batch, Adam, MSE,
thread count; samples/s is the median over epochs after one warm-up epoch.

usage: torch_bench.py THREADS EPOCHS
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads, epochs = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(1)


class TCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.ModuleList([nn.Conv1d(8, 64, 3, dilation=1), nn.Conv1d(64, 64, 3, dilation=2),
                                nn.Conv1d(64, 64, 3, dilation=4)])
        self.out = nn.Linear(64, 1, bias=False)

    def forward(self, x):  # x [B, T, C]
        h = x.transpose(1, 2)
        for conv in self.c:
            h = F.relu(conv(F.pad(h, (conv.dilation[0] * 2, 0))))  # causal: left padding
        return self.out(h.transpose(1, 2))


class GRUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(8, 64, batch_first=True)
        self.out = nn.Linear(64, 1, bias=False)

    def forward(self, x):
        return self.out(self.gru(x)[0])


def run(name, model, B, xshape, yshape, n_batches):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    X = torch.rand((n_batches, B) + xshape) - 0.5
    Y = torch.rand((n_batches, B) + yshape) - 0.5
    sps = []
    for e in range(epochs + 1):
        t0 = time.perf_counter()
        for b in range(n_batches):
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(X[b]), Y[b])
            loss.backward()
            opt.step()
        if e > 0:
            sps.append(B * n_batches / (time.perf_counter() - t0))
    sps.sort()
    n = len(sps)
    med = sps[n // 2] if n % 2 else 0.5 * (sps[n // 2 - 1] + sps[n // 2])
    print(f"torch model={name} samples_s={med:.0f} final_loss={loss.item():.4f}", flush=True)


mlp = nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                    nn.Linear(512, 9))
run("mlp", mlp, 512, (64,), (9,), 32)
run("tcn", TCN(), 64, (56, 8), (56, 1), 16)
run("gru", GRUNet(), 64, (28, 8), (28, 1), 16)

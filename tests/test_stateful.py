"""A stateful fuzz test (hypothesis.stateful) of training, state_dict, save and load.

The machine trains a small model with an optimizer, saves checkpoints with tg.save,
loads them into *fresh* modules and optimizers, changes the learning rate and the mode.
A PyTorch twin gets the same operations (its checkpoints kept as deep copies): after
every step both must hold the same parameters and the same optimizer state, so nothing
is lost or corrupted by a save/load round trip (momentum buffers, Adam moments, step
counts, learning rates) and training continues exactly where it stopped.
"""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

torch = pytest.importorskip("torch")

OPTIMIZERS = {
    "sgd": lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda m, p: m.optim.Adam(p, lr=0.01),
    "adamw": lambda m, p: m.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda m, p: m.optim.RMSprop(p, lr=0.01, momentum=0.5),
}


def _model(m):
    return m.nn.Sequential(m.nn.Linear(3, 4), m.nn.Tanh(), m.nn.Linear(4, 2))


class Checkpoints(RuleBasedStateMachine):
    @initialize(kind=st.sampled_from(sorted(OPTIMIZERS)), seed=st.integers(0, 2**16))
    def start(self, kind, seed):
        tg.manual_seed(seed)
        self.kind = kind
        self.model = _model(tg)
        self.twin = _model(torch).double()
        with torch.no_grad():
            for p, q in zip(self.model.parameters(), self.twin.parameters()):
                q.copy_(torch.from_numpy(p.detach().numpy().astype(np.float64)))
        self.model = self.model.double()
        self.opt = OPTIMIZERS[kind](tg, self.model.parameters())
        self.twin_opt = OPTIMIZERS[kind](torch, self.twin.parameters())
        self.saved: tuple[bytes, dict] | None = None

    @rule(seed=st.integers(0, 2**16))
    def train_step(self, seed):
        rng = np.random.default_rng(seed)
        x, y = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
        for model, opt, m, f in ((self.model, self.opt, tg, F),
                                 (self.twin, self.twin_opt, torch, torch.nn.functional)):
            opt.zero_grad()
            f.cross_entropy(model(m.tensor(x)), m.tensor(y)).backward()
            opt.step()

    @rule()
    def save(self):
        buf = io.BytesIO()
        tg.save({"model": self.model.state_dict(), "optim": self.opt.state_dict()}, buf)
        twin = {"model": copy.deepcopy(self.twin.state_dict()),
                "optim": copy.deepcopy(self.twin_opt.state_dict())}
        self.saved = (buf.getvalue(), twin)

    @precondition(lambda self: self.saved is not None)
    @rule()
    def load_into_fresh_objects(self):
        data, twin = self.saved
        ckpt = tg.load(io.BytesIO(data))
        self.model = _model(tg).double()
        self.model.load_state_dict(ckpt["model"])
        self.opt = OPTIMIZERS[self.kind](tg, self.model.parameters())
        self.opt.load_state_dict(ckpt["optim"])
        self.twin = _model(torch).double()
        self.twin.load_state_dict(copy.deepcopy(twin["model"]))
        self.twin_opt = OPTIMIZERS[self.kind](torch, self.twin.parameters())
        # a fresh copy each time: torch's load_state_dict keeps the saved "step" tensor
        # itself, and the next step would increment the checkpoint in place
        self.twin_opt.load_state_dict(copy.deepcopy(twin["optim"]))

    @rule(lr=st.sampled_from([0.001, 0.01, 0.05]))
    def set_lr(self, lr):
        for opt in (self.opt, self.twin_opt):
            for group in opt.param_groups:
                group["lr"] = lr

    @rule(training=st.booleans())
    def set_mode(self, training):
        self.model.train(training)
        self.twin.train(training)

    @invariant()
    def same_parameters_and_state(self):
        if not hasattr(self, "model"):
            return
        mine, theirs = self.model.state_dict(), self.twin.state_dict()
        assert list(mine) == list(theirs)
        for k in mine:
            np.testing.assert_allclose(mine[k].numpy(), theirs[k].numpy(), rtol=1e-9,
                                       atol=1e-12, err_msg=k)
        assert self.model.training == self.twin.training
        a, b = self.opt.state_dict(), self.twin_opt.state_dict()
        assert [g["lr"] for g in a["param_groups"]] == [g["lr"] for g in b["param_groups"]]
        assert sorted(a["state"]) == sorted(b["state"])
        for i, state in a["state"].items():
            for key, value in state.items():
                other = b["state"][i][key]
                np.testing.assert_allclose(np.asarray(getattr(value, "numpy", lambda: value)()),
                                           np.asarray(other), rtol=1e-9, atol=1e-12,
                                           err_msg=f"optimizer state {i}.{key}")


Checkpoints.TestCase.settings = settings(max_examples=10, stateful_step_count=12,
                                         deadline=None)
test_checkpoints = Checkpoints.TestCase

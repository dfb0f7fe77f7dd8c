"""`compile: true` (the cpu profile's key and structure runs): a training step under torch.compile computes what the eager
step computes, and a student's steps, whose spectrogram masks (A3) are drawn anew each step, never recompile it. Traced,
SpecMask split the compiled graph and recompiled it when the spectrogram's strides changed; it now runs eagerly."""
import copy, dataclasses
import torch

from mirrepro.augment import SpecMask
from mirrepro.distributed import setup
from mirrepro.model import MIRModel
from mirrepro.tasks import TASKS
from mirrepro.train import LABELLED, TrainConfig, _compiled, _train_epoch


def test_a_compiled_student_step_matches_eager_and_never_recompiles(monkeypatch):
    task, batch, frames = 'structure', 2, 32       # a structure student: A3 frequency masks on its pseudo-labeled examples
    cfg = TrainConfig(task, round=2, size='cpu', steps_per_epoch=1, batch_size=batch, model={'dropout': 0.0}, compile=True)
    assert cfg.augment_config().freq_mask
    spec, ctx = TASKS[task], setup('cpu')
    g = torch.Generator().manual_seed(0)
    def batches():
        while True:
            audio = 0.1 * torch.randn(batch, frames * spec.frame_samples, generator=g)
            targets = torch.softmax(torch.randn(batch, frames, spec.n_outputs, generator=g), -1)
            yield audio, targets, torch.full((batch, frames), LABELLED, dtype=torch.uint8), torch.tensor([True, False])
    torch.manual_seed(0)
    eager = MIRModel(cfg.model_config()).train()
    model = copy.deepcopy(eager)
    opts = [torch.optim.Adam(m.parameters(), 1e-3) for m in (eager, model)]
    mask = SpecMask(cfg.augment_config()).train()
    first = next(batches()); one = lambda: iter([first])     # the same batch for both
    torch.manual_seed(1); e = _train_epoch(cfg, ctx, eager, opts[0], None, one(), mask, 0, False)
    step = _compiled(model)
    torch.manual_seed(1); c = _train_epoch(cfg, ctx, step, opts[1], None, one(), mask, 0, False)
    torch.testing.assert_close(c, e, rtol=1e-4, atol=1e-5)   # the same masks (drawn eagerly from the same seed), the same loss
    for (name, pe), pc in zip(eager.named_parameters(), model.parameters()):    # the step's gradients, to rounding
        assert (pc.grad - pe.grad).abs().max() <= 1e-3 * pe.grad.abs().max() + 1e-8, name
    # three more steps, each with new masks and a new mask closure, as in training: a recompile raises
    monkeypatch.setattr(torch._dynamo.config, 'error_on_recompile', True)
    _train_epoch(dataclasses.replace(cfg, steps_per_epoch=3), ctx, step, opts[1], None, batches(), mask, 1, False)

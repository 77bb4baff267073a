"""Extended Yale B scores of model variants that `illumres bench yale` does not build: the README's "What limits the
128 px models" tables. Subjects 1-10, both tones; prints one line per variant (normal error, light error, albedo
si-MSE, relight PSNR: means over subjects).

    python tools/yale_variants.py ../shared/data/yale_b/CroppedYale [RUN ...]

Variants: the shipped 64 px SfSNet on 64, 96 and 128 px crops (`bench yale --size` does one size at a time), and
upsampled to 128 px (a `TwoScale` whose refiner is zero); for each RUN (a run folder): a plain SfSNet on 64, 96 and
128 px crops, and on 128 px crops low-passed through 64 px; a `--coarse 2` run as it is and with its refiner's
normal or albedo correction turned off.
"""
import sys
import numpy as np, torch, torch.nn.functional as F
from illumres.yale import load_subjects, yale_scores
from illumres.decompose import get_model
from illumres.learner import load_model, shipped_weights
from illumres.models import TwoScale

class LowPass(torch.nn.Module):
    "`m` on its input area-resized to `s` px and back (bilinear): the same crop without its fine detail."
    def __init__(self, m, s):
        super().__init__(); self.m, self.s, self.train_args = m, s, getattr(m, 'train_args', None)
    def forward(self, x):
        return self.m(F.interpolate(F.interpolate(x, size=self.s, mode='area'), size=x.shape[-1], mode='bilinear', align_corners=False))

def at(name, load, size):
    "`load()`'s model scored on `size` px crops."
    def f():
        m = load(); m.train_size = size; return m
    return (f'{name} on {size} px crops', f)

def parts_off(run, part):
    "A `TwoScale` run with its refiner's `part` ('normal' or 'albedo') correction set to zero."
    def f():
        m = load_model(run)
        if not isinstance(m, TwoScale): raise SystemExit(f'{run}: not a --coarse 2 run')
        with torch.no_grad():
            ch = slice(0, 3) if part == 'normal' else slice(3, 6)
            m.refine.out.weight[ch] = 0; m.refine.out.bias[ch] = 0
        return m
    return (f'{run}: {part} correction off', f)

def main(root, *runs):
    subjects = load_subjects(root, '1-10', 'results/yale/cache', False)
    s64 = lambda: load_model(shipped_weights('sfsnet'))
    models = [at('shipped 64 px SfSNet', s64, s) for s in (64, 96, 128)]
    models.append(at('shipped 64 px SfSNet upsampled (zero refiner)', lambda: TwoScale(s64()).eval(), 128))
    for r in runs:
        if isinstance(load_model(r), TwoScale): models += [(r, lambda r=r: load_model(r))] + [parts_off(r, p) for p in ('normal', 'albedo')]
        else:
            models += [at(r, lambda r=r: load_model(r), s) for s in (64, 96, 128)]
            models.append(at(f'{r}, low-passed through 64 px', lambda r=r: LowPass(load_model(r), 64), 128))
    for tone in ('linear', 'srgb'):
        sc, _ = yale_scores(subjects, models, False, 1., tone)
        print(f'## {tone}')
        for name, _ in models:
            s = sc[name]
            print(f"{name:60s} normal {np.mean(s['normal_mean']):5.1f}  light {np.mean(s['light_error']):5.1f}  "
                  f"albedo {np.mean(s['albedo_si_mse']):.4f}  relight {np.mean(s['relight_psnr']):5.2f}", flush=True)

if __name__ == '__main__':
    if len(sys.argv) < 2: raise SystemExit(__doc__)
    main(*sys.argv[1:])

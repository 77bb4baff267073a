"""The shipped `relight_residue` weights (issue 24): the head's state dict (its base is shipped weights too, named in its args.json), which loads with `weights_only=True` into the model
`illumres.learner.METHODS` builds, and `illumres relight` with them: a residue that moves with the light."""
import subprocess, sys
from pathlib import Path
import pytest, torch
from illumres.learner import load_model, shipped_weights
from illumres.models import OUTPUT_KEYS

W = shipped_weights('relight_residue')
pytestmark = pytest.mark.skipif(not (W/'model.pt').exists(), reason='no relight_residue weights in this checkout')

def test_weights_load_as_a_state_dict():
    sd = torch.load(W/'model.pt', weights_only=True)
    m = load_model(W)
    assert type(m).__name__ == 'RelightNet' and m.head.cond == 'concat'
    assert set(sd) == {k for k in m.state_dict() if k.startswith('head.')}      # the head alone ...
    base = load_model(shipped_weights(m.train_args['base_weights'])).state_dict()
    assert all(torch.equal(m.base.state_dict()[k], v) for k, v in base.items())   # ... on shipped weights (the default SfSNet)
    assert (W/'model.pt').stat().st_size < 1_000_000

def test_residue_follows_the_light_and_own_light_is_the_reconstruction():
    from illumres.interp import relative_light, light_residue, relight
    from illumres.decompose import decompose, load_face
    m = load_model(W)
    f = load_face('astronaut', 64)
    d = decompose(m, f['face'], f['mask'])
    assert all(k in d for k in OUTPUT_KEYS) and d['relight_net'] is m
    torch.testing.assert_close(relight(d, d['light']), d['recon'], rtol=1e-4, atol=1e-5)
    a, b = (light_residue(d, relative_light(d['light'], az, 15)) for az in (-60, 60))
    assert ((a - b).abs() * d['mask']).sum() / d['mask'].sum() > 0.005   # the shadows and highlights move

def test_cli_relight_uses_it(tmp_path):
    from illumres.decompose import asset_dir
    crop = asset_dir()/'astronaut_face.png'
    outs = {}
    for az in (-60, 60):
        for s in (0, 1):
            o = tmp_path/f'{az}_{s}.png'
            r = subprocess.run([str(Path(sys.executable).parent/'illumres'), 'relight', str(crop), '--cropped', '--crop', '--method', 'relight_residue',
                                '--direction', f'{az},15', '--strength', str(s), '--out', str(o)], capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, r.stderr
            from illumres.data import read_png
            outs[az, s] = read_png(o)
    # with the residue (strength 1) the image differs from SH alone (strength 0), and by a different amount under each light
    d = {az: (outs[az, 1] - outs[az, 0]).abs().mean().item() for az in (-60, 60)}
    assert min(d.values()) > 1e-3
    assert ((outs[-60, 1] - outs[-60, 0]) - (outs[60, 1] - outs[60, 0])).abs().mean() > 1e-3

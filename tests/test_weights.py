"""The shipped weights load into today's models and give the outputs they gave when they were made (issue 14
changed how the models are built from their configuration; the weights must not notice)."""
import pytest, torch
from illumres.learner import load_model, shipped_weights
from illumres.models import OUTPUT_KEYS

# (mean, mean |x|) of each output on the seeded image below, measured with the models as they were before issue 14
REFERENCE = {
    # issue 23: the default SfSNet after its Yale stage (`illumres.yale_stage`; both framings and the reconstruction term since its second version), measured when it was made
    'sfsnet': {'normal': (0.262966, 0.489052), 'albedo': (0.434797, 0.434797), 'light': (0.197056, 0.233364), 'shading': (1.005713, 1.006638), 'recon': (0.422975, 0.423323)},
    # the synthetic SfSNet (the default until issue 23; `sfsnet_synth` since), and the base of the shipped shading_residue
    'sfsnet_synth': {'normal': (0.2815, 0.481155), 'albedo': (0.448937, 0.448937), 'light': (0.313396, 0.32187), 'shading': (1.33106, 1.33121), 'recon': (0.583034, 0.583108)},
    'sfsnet_sfs': {'normal': (0.342803, 0.483871), 'albedo': (0.356566, 0.356566), 'light': (0.336999, 0.361153), 'shading': (1.86775, 1.86775), 'recon': (0.652514, 0.652514)},
    # the 128 px weights (issue 13: `TwoScale`, SfSNet at 64 px refined at 128 px), measured when they were made
    'sfsnet_128': {'normal': (0.147029, 0.509731), 'albedo': (0.494191, 0.494191), 'light': (0.172403, 0.19862), 'shading': (0.696997, 0.696997), 'recon': (0.339692, 0.339692)},
    'shading_residue_128': {'normal': (0.147029, 0.509731), 'albedo': (0.444748, 0.444748), 'light': (0.190907, 0.218648), 'shading': (0.732031, 0.732031), 'recon': (0.359512, 0.359512), 'shading_final': (0.810504, 0.810504), 'residue': (0.0784728, 0.0784733)},
    'shading_residue': {'normal': (0.2815, 0.481155), 'albedo': (0.350638, 0.350638), 'light': (0.391019, 0.409311), 'shading': (1.6329, 1.6332), 'recon': (0.60122, 0.60123), 'shading_final': (1.7597, 1.75974), 'residue': (0.126806, 0.126807)},
}

@pytest.mark.parametrize('name', sorted(REFERENCE))
def test_shipped_weights_unchanged(name):
    img = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad(): o = load_model(shipped_weights(name))(img)
    assert all(k in o for k in OUTPUT_KEYS)                                     # the one output contract
    torch.testing.assert_close(o['recon'], o['albedo'] * o['shading_final'], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(o['residue'], o['shading_final'] - o['shading'], rtol=1e-5, atol=1e-6)
    if 'residue' not in REFERENCE[name]: assert not o['residue'].any() and torch.equal(o['shading_final'], o['shading'])
    for k, want in REFERENCE[name].items():
        got = (o[k].double().mean().item(), o[k].double().abs().mean().item())
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-6, msg=lambda m: f'{name} {k}: {m}')

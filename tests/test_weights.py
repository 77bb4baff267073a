"""The shipped weights load into today's models and give the outputs they gave when they were made (issue 14
changed how the models are built from their configuration; the weights must not notice)."""
import pytest, torch
from illumres.learner import load_model, shipped_weights
from illumres.models import OUTPUT_KEYS

# (mean, mean |x|) of each output on the seeded image below, measured with the models as they were before issue 14
REFERENCE = {
    'sfsnet': {'normal': (0.2815, 0.481155), 'albedo': (0.448937, 0.448937), 'light': (0.313396, 0.32187), 'shading': (1.33106, 1.33121), 'recon': (0.583034, 0.583108)},
    'sfsnet_sfs': {'normal': (0.342803, 0.483871), 'albedo': (0.356566, 0.356566), 'light': (0.336999, 0.361153), 'shading': (1.86775, 1.86775), 'recon': (0.652514, 0.652514)},
    # the 128 px weights (issue 13), measured when they were made
    'sfsnet_128': {'normal': (0.344158, 0.48685), 'albedo': (0.399941, 0.399941), 'light': (0.44125, 0.44125), 'shading': (1.47315, 1.47437), 'recon': (0.579075, 0.579554)},
    'shading_residue_128': {'normal': (0.344158, 0.48685), 'albedo': (0.315137, 0.315137), 'light': (0.560938, 0.560938), 'shading': (1.91704, 1.91847), 'recon': (0.61167, 0.612018), 'shading_final': (1.99854, 1.99963), 'residue': (0.0814975, 0.0816934)},
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

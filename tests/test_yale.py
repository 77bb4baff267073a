"End to end: `illumres bench yale` on one subject of Extended Yale B, DPR included (skipped where the data is absent)."
import csv, subprocess, sys
from pathlib import Path
import pytest
from PIL import Image

EXE = Path(sys.executable).parent / 'illumres'
DATA = Path(__file__).resolve().parents[2] / 'shared' / 'data'
YALE = DATA / 'yale_b' / 'CroppedYale'
DPR = DATA / 'peers' / 'dpr' / 'trained_model_03.t7'

def run(*args):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, timeout=900)

@pytest.mark.skipif(not (YALE / 'yaleB01').is_dir(), reason=f'Extended Yale B not found at {YALE}')
def test_bench_yale_one_subject(tmp_path):
    out = tmp_path / 'yale'
    r = run('bench', 'yale', YALE, '--subjects', '1', '--method', 'sfsnet', '--method', 'sfsnet_synth', '--celeba', 'none', '--out', out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('**Extended Yale B') and '| sfsnet_synth |' in r.stdout  # the table on stdout (`> t.md` keeps it)
    rows = list(csv.DictReader(open(out / 'yale_metrics.csv')))
    assert list(rows[0])[:5] == ['model', 'metric', 'value', 'ci_low', 'ci_high']
    at = {(x['model'], x['metric']): float(x['value']) for x in rows}
    assert not any(m == 'sfsnet' for m, _ in at)                                        # the default trained on subject 1: no score there
    assert at[('sfsnet_synth', 'normal_mean')] < at[('baseline: frontal normals', 'normal_mean')]
    assert at[('baseline: source unchanged', 'relight_psnr')] < at[('sfsnet_synth', 'relight_psnr')]
    assert ('sfsnet_128', 'relight_psnr') in at and ('sfsnet_synth', 'albedo_consistency') in at
    if DPR.is_file():                                                                   # the peer, found beside the data
        assert at[('DPR (peer)', 'light_error')] < at[('baseline: frontal light', 'light_error')]
        assert at[('baseline: source unchanged', 'relight_psnr')] < at[('DPR (peer)', 'relight_psnr')]
    else: assert 'DPR: weights not found' in r.stderr
    assert all(float(x['ci_low']) <= float(x['value']) <= float(x['ci_high']) for x in rows)
    for f in ('yale_ps.png', 'yale_yaleB01.png', 'yale_inputs.png'): assert Image.open(out / 'figures' / f).format == 'PNG'
    assert len(list((out / 'cache').glob('ps_*.npz'))) == 1 and not list(out.rglob('.*.tmp'))

def test_bench_yale_bad_folder_is_one_line(tmp_path):
    r = run('bench', 'yale', tmp_path / 'nope', '--out', tmp_path / 'o')
    last = r.stderr.strip().splitlines()[-1]            # (lines above it: only the FutureWarning torch prints on import)
    assert r.returncode == 1 and 'Traceback' not in r.stderr and last.startswith('illumres bench yale: ') and 'nope' in last

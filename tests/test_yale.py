"End to end: `illumres bench yale` on 2 subjects of Extended Yale B (skipped where the data is absent)."
import csv, subprocess, sys
from pathlib import Path
import pytest
from PIL import Image

EXE = Path(sys.executable).parent / 'illumres'
YALE = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'yale_b' / 'CroppedYale'

def run(*args):
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=600)

@pytest.mark.skipif(not (YALE / 'yaleB01').is_dir(), reason=f'Extended Yale B not found at {YALE}')
def test_bench_yale_two_subjects(tmp_path):
    out = tmp_path / 'yale'
    r = run('bench', 'yale', str(YALE), '--subjects', '1-2', '--method', 'sfsnet', '--out', str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(out / 'yale_metrics.csv')))
    assert list(rows[0])[:5] == ['model', 'metric', 'value', 'ci_low', 'ci_high']
    at = {(x['model'], x['metric']): float(x['value']) for x in rows}
    assert at[('sfsnet', 'normal_mean')] < at[('baseline: frontal normals', 'normal_mean')]
    assert at[('baseline: source unchanged', 'relight_psnr')] < at[('sfsnet', 'relight_psnr')]
    assert all(float(x['ci_low']) <= float(x['value']) <= float(x['ci_high']) for x in rows)
    assert '| sfsnet |' in (out / 'yale_metrics.md').read_text()
    for f in ('yale_ps.png', 'yale_yaleB01.png', 'yale_yaleB02.png'): assert Image.open(out / 'figures' / f).format == 'PNG'
    assert len(list((out / 'cache').glob('ps_*.npz'))) == 2 and not list(out.rglob('.*.tmp'))

def test_bench_yale_bad_folder_is_one_line(tmp_path):
    r = run('bench', 'yale', str(tmp_path / 'nope'), '--out', str(tmp_path / 'o'))
    last = r.stderr.strip().splitlines()[-1]            # (lines above it: only the FutureWarning torch prints on import)
    assert r.returncode == 1 and 'Traceback' not in r.stderr and last.startswith('illumres bench yale: ') and 'nope' in last

"End-to-end tests of the installed `illumres` console script (the notebooks test the functions behind it)."
import shutil, subprocess, sys
from pathlib import Path
import pytest
from PIL import Image

EXE = Path(sys.executable).parent / 'illumres'

def run(*args, **kw):
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=300, **kw)

def test_help_lists_commands():
    r = run('--help')
    assert r.returncode == 0
    for cmd in ('reproduce', 'bench'): assert f'  {cmd}' in r.stdout

def test_version_matches_package():
    import illumres
    assert run('--version').stdout.strip() == illumres.__version__

def test_unknown_command_is_one_clear_line():
    r = run('frobnicate')
    assert r.returncode == 2 and r.stderr.strip().count('\n') == 0 and "unknown command 'frobnicate'" in r.stderr

def test_bad_option_value_fails_cleanly():
    r = run('bench', 'sh', '--batch', 'many')
    assert r.returncode == 2 and "invalid int value: 'many'" in r.stderr

def test_reproduce_writes_tables_and_figures(tmp_path):
    r = run('reproduce', '--out', str(tmp_path / 'res'), '--config', 'tiny', '--runs', 'sfsnet')
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'res' / 'metrics.csv').read_text().startswith('method,domain,')
    for name in ('sh_spheres.png', 'sh_interpolation.png', 'compare_wild.png', 'runs/sfsnet/grid.png'):
        im = Image.open(tmp_path / 'res' / name)
        assert im.format == 'PNG' and im.size[0] > 300
    assert not list((tmp_path / 'res').glob('.*.tmp'))             # no temporary left behind

def test_bench_prints_table(tmp_path):
    r = run('bench', 'sh', '--batch', '2', '--size', '16', '--min-time', '0.01', '--threads', '1', '--out', str(tmp_path / 'b.md'))
    assert r.returncode == 0, r.stderr
    assert '| sh_shading eager | forward |' in r.stdout and (tmp_path / 'b.md').read_text().startswith('SH shading')

def test_synth_then_crop_faces(tmp_path):
    r = run('synth', str(tmp_path / 'syn'), '--n', '2', '--size', '64', '--workers', '1')
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / 'syn').rglob('*_face_*.png'))) == 2 and (tmp_path / 'syn' / 'manifest.jsonl').exists()
    photos = Path(__file__).resolve().parent.parent / 'tests_data' / 'photos'
    r = run('crop-faces', str(photos), str(tmp_path / 'crops'), '--size', '64')
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / 'crops' / 'astronaut_face.png').size == (64, 64)

def test_crop_faces_empty_folder_is_one_clear_line(tmp_path):
    (tmp_path / 'empty').mkdir()
    r = run('crop-faces', str(tmp_path / 'empty'), str(tmp_path / 'out'))
    assert r.returncode != 0 and 'no images' in r.stderr.strip().splitlines()[-1]

def test_decompose_with_shipped_weights(tmp_path):
    photo = Path(__file__).resolve().parent.parent / 'tests_data' / 'photos' / 'astronaut.jpg'
    r = run('decompose', str(photo), '--out', str(tmp_path / 'dec'))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / 'dec').iterdir())
    assert names == [f'astronaut_{k}' for k in ('albedo.png', 'face.png', 'grid.png', 'light.txt', 'mask.png', 'normal.png', 'recon.png', 'shading.png')]
    assert len((tmp_path / 'dec' / 'astronaut_light.txt').read_text().split()) == 27

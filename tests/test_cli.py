"End-to-end tests of the installed `illumres` console script (the notebooks test the functions behind it)."
import re, shutil, subprocess, sys
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
    (tmp_path / 'res').mkdir()
    for f in ('comparisons.csv', 'seeds.md', 'seeds.csv', 'seeds_comparisons.csv'): (tmp_path / 'res' / f).write_text('an earlier run, more runs and seeds')
    r = run('reproduce', '--out', str(tmp_path / 'res'), '--config', 'tiny', '--runs', 'sfsnet')
    assert r.returncode == 0, r.stderr
    assert not [f for f in ('comparisons.csv', 'seeds.md', 'seeds.csv', 'seeds_comparisons.csv') if (tmp_path / 'res' / f).exists()]   # issue 27, 7: stale
    assert r.stdout.strip().splitlines()[-1].startswith(f"wrote {tmp_path / 'res' / 'metrics.csv'} (means with 95 % intervals), {tmp_path / 'res' / 'metrics.md'}, {tmp_path / 'res'}/compare_*.png")
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
    assert names == [f'astronaut_{k}' for k in ('albedo.png', 'face.png', 'grid.png', 'light.txt', 'mask.png', 'normal.png', 'recon.png',
                                                         'residue.png', 'shading.png', 'shading_final.png')]
    assert len((tmp_path / 'dec' / 'astronaut_light.txt').read_text().split()) == 27
    assert 'FutureWarning' not in r.stderr and 'decomposing: 100%' in r.stderr          # no torch.jit notice; a progress bar


# Issue 11, section 2: bad input and interruptions. Each test failed before its fix.
import json, os, signal, time
FX = Path(__file__).resolve().parent.parent / 'tests_data'

def no_traceback(r):
    assert 'Traceback' not in r.stderr and 'warnings.warn' not in r.stderr, r.stderr
    return r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ''

def two_face_photo(path):
    "A photo with two faces: the astronaut beside Obama."
    a, b = Image.open(FX / 'photos' / 'astronaut.jpg').convert('RGB'), Image.open(FX / 'photos' / 'obama.jpg').convert('RGB')
    b = b.resize((round(b.width * a.height / b.height), a.height))
    im = Image.new('RGB', (a.width + b.width, a.height)); im.paste(a, (0, 0)); im.paste(b, (a.width, 0)); im.save(path)

@pytest.fixture(scope='module')
def clash(tmp_path_factory):
    "obama.jpg and obama.png (another person); two_people.jpg (2 faces) beside two_people_1.jpg."
    d = tmp_path_factory.mktemp('clash')
    shutil.copy(FX / 'photos' / 'obama.jpg', d / 'obama.jpg')
    Image.open(FX / 'photos' / 'astronaut.jpg').save(d / 'obama.png')
    two_face_photo(d / 'two_people.jpg')
    shutil.copy(FX / 'photos' / 'astronaut.jpg', d / 'two_people_1.jpg')
    return d

# 2, 4, 5, 7, 8: requests that cannot make anything, refused in one line before anything is written. One Python
# process runs them all through `main` (what the console script calls): a process per case would cost minutes.
def run_in_one(argvs):
    "[(exit code, stdout, stderr)] of `illumres ARGV` for each argv, run in one process."
    code = ("import contextlib, io, json, sys\nfrom illumres.cli import main\nres = []\n"
            "for a in json.loads(sys.argv[1]):\n    o, e = io.StringIO(), io.StringIO()\n"
            "    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e): c = main(a)\n"
            "    res.append((c, o.getvalue(), e.getvalue()))\nprint(json.dumps(res))")
    r = subprocess.run([sys.executable, '-c', code, json.dumps(argvs)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])

def test_refused_in_one_line(tmp_path):
    t, sfs, wild, obama = tmp_path, str(FX / 'synth_sfs'), str(FX / 'synth_wild'), str(FX / 'photos' / 'obama.jpg')
    (t / 'big.txt').write_text('\t'.join(['1e6'] + ['0.1'] * 26))
    train = ['train', sfs, wild, '--out', f'{t}/o', '--width', '0.25', '--workers', '0', '--epochs', '1', '--bs', '3']
    l0, l1 = str(FX / 'pseudo' / '0_light.txt'), str(FX / 'pseudo' / '1_light.txt')
    cases = [  # 2. memory
             (['interpolate', l0, l1, '--steps', '100000', '--out', f'{t}/o'], 'illumres interpolate: --steps: expected at least 2 steps (the two ends) and at most 200 (each costs memory and strip width), got 100000'),
             # 4. runs that would train nothing
             (train + ['--bs', '16'], f'illumres train: {sfs}: 6 training samples, fewer than --bs 16 (the last partial batch is dropped, so nothing would train): pass --bs 6 or less, or add samples'),
             (train + ['--epochs', '0'], 'illumres train: --epochs: expected at least 1, got 0'),
             (train + ['--width', '0'], 'illumres train: --width: expected a number above 0, got 0'),
             # 5. nothing to make
             (['crop-faces', str(FX / 'photos'), f'{t}/o', '--size', '0'], 'illumres crop-faces: --size: expected a crop size from 8 to 1024 px, got 0'),
             (['synth', f'{t}/o', '--n', '-5'], 'illumres synth: --n: expected a whole number >= 1, got -5'),
             (['synth', f'{t}/o', '--n', '0'], 'illumres synth: --n: expected a whole number >= 1, got 0'),
             # 7. NaN, inf, absurd lights
             (['relight', obama, '--direction', 'nan,20', '--out', f'{t}/o'], "illumres relight: --direction: AZ and EL must be finite numbers of degrees, got 'nan,20'"),
             (['relight', obama, '--direction', 'inf,0', '--out', f'{t}/o'], "illumres relight: --direction: AZ and EL must be finite numbers of degrees, got 'inf,0'"),
             (['relight', obama, '--direction', '0,0', '--intensity', 'nan', '--out', f'{t}/o'], 'illumres relight: --intensity: expected a finite number at least 0, got nan'),
             (['relight', obama, '--light', f'{t}/big.txt', '--out', f'{t}/o'], f'illumres relight: {t}/big.txt: a light coefficient of magnitude 1e+06: lights for images in [0,1] stay within ±100 (was the file scaled?)'),
             # 8. bad arguments
             (['interpolate', l0, l1, '--out', f'{t}/o', '--gif', f'{t}/o.gif', '--fps', '0'], 'illumres interpolate: --fps: expected a finite number above 0 and at most 100, got 0'),
             (['interpolate', l0, l1, '--out', f'{t}/o', '--gif', f'{t}/o.gif', '--fps', '-5'], 'illumres interpolate: --fps: expected a finite number above 0 and at most 100, got -5'),
             (['synth', f'{t}/o', '--poses', '0'], 'illumres synth: --poses: expected a whole number >= 1, got 0'),
             (['synth', f'{t}/o', '--lights', '0'], 'illumres synth: --lights: expected a whole number >= 1, got 0'),
             (train + ['--bs', '0'], 'illumres train: --bs: expected at least 1, got 0'),
             (train + ['--loss', 'w_albdo=0'], "illumres train: --loss: unknown weight 'w_albdo'; sfsnet knows beta, real_albedo_grad, w_albedo, w_light, w_normal, w_recon"),
             (['reproduce', '--out', f'{t}/o', '--seeds', '0'], 'illumres reproduce: --seeds: expected at least 1 training seed, got 0'),
             (['eval'], 'illumres eval: give a dataset folder, or --heldout for the generalization test')]
    for (argv, msg), (code, out, err) in zip(cases, run_in_one([a for a, _ in cases])):
        assert (code, err.strip().splitlines()[-1:]) == (1, [msg]), (argv, err)
        assert 'Traceback' not in err and not (t / 'o').exists() and not (t / 'o.gif').exists(), argv      # nothing written: no config.json either

# Issue 27: the second sweep. Each case failed before its fix (a traceback, an exit 0, or a file written first).
def test_refused_in_one_line_second_sweep(tmp_path):
    t, sfs, wild, photo = tmp_path, str(FX / 'synth_sfs'), str(FX / 'synth_wild'), str(FX / 'photos' / 'astronaut.jpg')
    l0, l1 = str(FX / 'pseudo' / '0_light.txt'), str(FX / 'pseudo' / '1_light.txt')
    (t / 'FILE').write_text('a file, not a folder')
    F = f'{t}/FILE'
    train = ['train', sfs, wild, '--width', '0.25', '--workers', '0', '--epochs', '1', '--bs', '3']
    cases = [  # 2. --size has an upper bound (100000 asked OpenCV for 120 GB)
             (['decompose', photo, '--size', '100000', '--out', f'{t}/o'], 'illumres decompose: --size: expected a crop size from 8 to 1024 px, got 100000'),
             (['crop-faces', str(FX / 'photos'), f'{t}/o', '--size', '100000'], 'illumres crop-faces: --size: expected a crop size from 8 to 1024 px, got 100000'),
             (['pseudo-label', str(FX / 'photos'), f'{t}/o', '--size', '100000'], 'illumres pseudo-label: --size: expected a crop size from 8 to 1024 px, got 100000'),
             # 4. eval checks --bs (ZeroDivisionError)
             (['eval', wild, '--bs', '0'], 'illumres eval: --bs: expected at least 1, got 0'),
             (['eval', '--heldout', '--n', '0', '--heldout-dir', f'{t}/o'], 'illumres eval: --n: expected at least 1, got 0'),
             # 11. the strip as a whole is bounded (--steps 200 --scale 16: 211,168 px wide, 11.2 GB)
             (['interpolate', l0, l1, '--crop', '--steps', '200', '--scale', '16', '--out', f'{t}/o', '--gif', f'{t}/o.gif'],
              'illumres interpolate: --scale: 200 steps of 64x64 px enlarged 16x make a strip of 211,168x1,024 px, more than the 16,777,216 px (and 65,535 px wide) allowed: lower --steps or --scale'),
             # 13. an output path under a file: checked before any work ("[Errno 17] File exists", the strip already written)
             (['interpolate', l0, l1, '--out', f'{t}/o', '--gif', f'{F}/x.gif'], f'illumres interpolate: --gif: {F}/x.gif: {F} is a file, not a folder: choose another path'),
             (['interpolate', l0, l1, '--out', f'{F}/x.png'], f'illumres interpolate: --out: {F}/x.png: {F} is a file, not a folder: choose another path'),
             (['relight', photo, '--direction', '0,0', '--out', f'{F}/x.png'], f'illumres relight: --out: {F}/x.png: {F} is a file, not a folder: choose another path'),
             (['relight', photo, '--direction', '0,0', '--out', str(t)], f'illumres relight: --out: {t} is a folder: give a file name'),
             (['decompose', photo, '--out', f'{F}/x'], f'illumres decompose: --out: {F}/x: {F} is a file, not a folder: choose another path'),
             (['decompose', photo, '--out', F], f'illumres decompose: --out: {F} is a file, not a folder: choose another path'),
             (['eval', wild, '--out', f'{F}/m.json'], f'illumres eval: --out: {F}/m.json: {F} is a file, not a folder: choose another path'),
             (['bench', 'sh', '--out', f'{F}/b.md'], f'illumres bench: --out: {F}/b.md: {F} is a file, not a folder: choose another path'),
             (['crop-faces', str(FX / 'photos'), f'{F}/x'], f'illumres crop-faces: {F}/x: {F} is a file, not a folder: choose another path'),
             (['pseudo-label', str(FX / 'photos'), f'{F}/x'], f'illumres pseudo-label: {F}/x: {F} is a file, not a folder: choose another path'),
             (['synth', f'{F}/x', '--n', '2'], f'illumres synth: {F}/x: {F} is a file, not a folder: choose another path'),
             (train + ['--out', f'{F}/x'], f'illumres train: --out: {F}/x: {F} is a file, not a folder: choose another path'),
             (['reproduce', '--config', 'tiny', '--out', f'{F}/x'], f'illumres reproduce: --out: {F}/x: {F} is a file, not a folder: choose another path')]
    for (argv, msg), (code, out, err) in zip(cases, run_in_one([a for a, _ in cases])):
        assert (code, err.strip().splitlines()[-1:]) == (1, [msg]), (argv, err)
        assert 'Traceback' not in err and not (t / 'o').exists() and not (t / 'o.gif').exists(), argv
    assert (t / 'FILE').read_text() == 'a file, not a folder' and sorted(p.name for p in t.iterdir()) == ['FILE']

def test_bench_lists_every_benchmark():
    (c, _, e), (c2, _, e2) = run_in_one([['bench', 'bogus'], ['bench', '--threads', '1', 'yale']])
    assert c == 2 and e.strip() == "illumres bench: unknown benchmark 'bogus'; choose from sh, synth, real, stages, train, distributed, relight, faces, yale", e
    assert c2 == 2 and e2.strip() == 'illumres bench: yale takes its own options after the word yale: `illumres bench yale --help` lists them', e2

# 3. bad samples are found up front, listed, and can be skipped
def broken_dataset(tmp_path):
    d = tmp_path / 'data'; shutil.copytree(FX / 'synth_sfs', d)
    files = sorted((d / '0000').glob('*_face_*.png'))
    files[0].write_bytes(b'not a png')                                                      # corrupt face
    (d / '0000' / files[1].name.replace('_face_', '_light_').replace('.png', '.txt')).write_text('1 2 3')   # 3-number light
    (d / '0000' / files[2].name.replace('_face_', '_albedo_')).unlink()                     # missing albedo
    return d, files[:3]

def test_train_lists_bad_samples_then_skips_them(tmp_path):
    d, bad = broken_dataset(tmp_path)
    args = ('train', str(d), str(FX / 'synth_wild'), '--out', str(tmp_path / 'run'), '--width', '0.25', '--epochs', '1', '--bs', '3', '--workers', '0')
    r = run(*args)
    assert r.returncode == 1 and 'illumres train: ' in no_traceback(r) and '3 bad samples (listed above)' in r.stderr and '--skip-bad' in r.stderr
    listed = [l for l in r.stderr.splitlines() if l.startswith('illumres train: bad sample: ')]
    names = [bad[0].name, bad[1].name.replace('_face_', '_light_').replace('.png', '.txt'), bad[2].name.replace('_face_', '_albedo_')]
    assert len(listed) == 3 and all(n in l for n, l in zip(names, listed)), listed
    assert 'not a readable image' in listed[0] and 'expected 27 light coefficients, found 3' in listed[1] and 'no such file' in listed[2]
    assert not (tmp_path / 'run' / 'model.pt').exists()
    r = run(*args, '--skip-bad')
    assert r.returncode == 0, r.stderr
    assert 'skipping 3 bad samples' in r.stderr and (tmp_path / 'run' / 'model.pt').exists()

# 5. a command that produced nothing exits non-zero and says why
def test_nothing_produced_fails(tmp_path):
    t = tmp_path
    (t / 'a.jpg').write_bytes(b'junk'); (t / 'b.png').write_bytes(b'junk')
    (t / 'p').mkdir(); (t / 'p' / 'a.jpg').write_bytes(b'junk'); Image.new('RGB', (64, 64), 'grey').save(t / 'p' / 'wall.png')
    Image.new('RGB', (1, 1), 'grey').save(t / 'one.png'); Image.new('L', (20000, 20000)).save(t / 'huge.png')   # issue 27: 8, 12
    (d, _, de), (c, _, ce), (p, _, pe), (o, _, oe), (h, _, he) = run_in_one([
        ['decompose', f'{t}/a.jpg', f'{t}/b.png', '--out', f'{t}/o'], ['crop-faces', f'{t}/p', f'{t}/o2'], ['pseudo-label', f'{t}/p', f'{t}/o3'],
        ['decompose', f'{t}/one.png', '--cropped', '--out', f'{t}/o4'], ['decompose', f'{t}/huge.png', '--out', f'{t}/o5']])
    assert o == 1 and f'illumres decompose: skipped: {t}/one.png: 1x1 px, too small to be a face crop (at least 24x24 px): pass a larger crop, or the photo without --cropped\n' in oe, oe
    assert h == 1 and (f"illumres decompose: skipped: {t}/huge.png: an image of 400,000,000 px, more than the 89,478,485 px illumres reads (Pillow's guard "
                       "against decompression bombs): shrink it, or lift the limit: set ILLUMRES_MAX_PIXELS to a larger number") in he and 'corrupt' not in he, he
    assert 'Traceback' not in oe + he and not (t / 'o4').exists() and not (t / 'o5').exists()
    assert p == 1 and pe.strip().splitlines()[-1] == f'illumres pseudo-label: {t}/p: no photo labelled: all were skipped (the reasons are above)', pe
    assert d == 1 and de.strip().splitlines()[-1] == 'illumres decompose: no face decomposed: all 2 photos were skipped (the reasons are above)', de
    assert f'illumres decompose: skipped: {t}/a.jpg: not a readable image (corrupt or truncated?): re-export it, or leave it out\n' in de  # 11: one line
    assert c == 1 and ce.strip().splitlines()[-1] == f"illumres crop-faces: {t}/p: no face cropped: all 2 photos were skipped (the reasons are above)", ce
    assert f"illumres crop-faces: skipped {t}/p/wall.png: no face found: use a photo with a frontal face\n" in ce and '--cropped' not in ce   # 11
    assert 'Traceback' not in de + ce + pe and not (t / 'o').exists() and not list((t / 'o2').glob('*')) and not (t / 'o3').exists()

# 6. checkpoints that are not illumres's: one line each
@pytest.fixture(scope='module')
def run025(tmp_path_factory):
    d = tmp_path_factory.mktemp('run') / 'run'
    r = run('train', str(FX / 'synth_sfs'), str(FX / 'synth_wild'), '--out', str(d), '--width', '0.25', '--epochs', '1', '--bs', '3', '--workers', '0')
    assert r.returncode == 0, r.stderr
    return d

def test_bad_checkpoints_are_one_line(run025, tmp_path):
    import torch
    t, photo, wild = tmp_path, str(FX / 'photos' / 'astronaut.jpg'), str(FX / 'synth_wild')
    args = json.loads((run025 / 'args.json').read_text())
    for name, model, a in (('code', None, args), ('empty', b'', args), ('wide', (run025 / 'model.pt').read_bytes(), dict(args, width=0.5)),
                           ('text', b'hello', args), ('text2', b'abc\n', args)):      # issue 27, 1: text raised KeyError/IndexError in the unpickler
        (t / name).mkdir(); (t / name / 'args.json').write_text(json.dumps(a))
        if model is None: torch.save({'x': Path('.')}, t / name / 'model.pt')      # a pickle carrying code
        else: (t / name / 'model.pt').write_bytes(model)
    shutil.copytree(run025, t / 'cut'); (t / 'cut' / 'last.pt').write_bytes((t / 'cut' / 'last.pt').read_bytes()[:1000])
    shutil.copytree(run025, t / 'txt'); (t / 'txt' / 'last.pt').write_bytes(b'hello')
    train = ['train', str(FX / 'synth_sfs'), wild, '--epochs', '2', '--bs', '3', '--workers', '0']
    cases = [(['decompose', photo, '--checkpoint', f'{t}/code/model.pt', '--out', f'{t}/o'],
              f"illumres decompose: {t}/code/model.pt: not an illumres checkpoint (it holds Python objects, not only weights, and illumres loads weights only): use a model.pt or run folder written by `illumres train`"),
             (['eval', wild, '--checkpoint', f'{t}/empty'], f"illumres eval: {t}/empty/model.pt: not a readable checkpoint (empty): train it again or copy it anew"),
             (['eval', wild, '--checkpoint', f'{t}/wide'], f"illumres eval: {t}/wide/model.pt: its weights do not fit the sfsnet model of width 0.5 that {t}/wide/args.json describes"),
             (train + ['--out', str(run025), '--width', '0.5'], f"illumres train: {run025}: holds a run made with width 0.25 (now 0.5): use the same settings to resume it, or another --out"),
             (train + ['--out', f'{t}/cut', '--width', '0.25'], f"illumres train: {t}/cut/last.pt: not a readable checkpoint (truncated or corrupt): delete it to train {t}/cut from the start"),
             (['decompose', photo, '--checkpoint', f'{t}/text', '--out', f'{t}/o'],
              f"illumres decompose: {t}/text/model.pt: not a readable checkpoint (not a file torch.save wrote: it starts with b'hello'): train it again or copy it anew"),
             (['eval', wild, '--checkpoint', f'{t}/text2'], f"illumres eval: {t}/text2/model.pt: not a readable checkpoint (not a file torch.save wrote: it starts with b'abc\\n'): train it again or copy it anew"),
             (train + ['--out', f'{t}/txt', '--width', '0.25'], f"illumres train: {t}/txt/last.pt: not a readable checkpoint (not a file torch.save wrote: it starts with b'hello'): delete it to train {t}/txt from the start"),
             (train + ['--out', f'{t}/t2', '--width', '0.25', '--init', f'{t}/text'], f"illumres train: {t}/text/model.pt: not a readable checkpoint (not a file torch.save wrote: it starts with b'hello'): train it again or copy it anew")]
    for (argv, msg), (code, out, err) in zip(cases, run_in_one([a for a, _ in cases])):
        assert code == 1 and len(err.strip().splitlines()) == 1 and err.startswith(msg), (argv, err)
        assert 'weights_only' not in err and 'Traceback' not in err

# Issue 27, 5: a checkpoint that cannot be written (here the shell's file-size limit, `ulimit -f`): one line naming it, the last one kept
def test_unwritable_checkpoint_is_one_line(run025, tmp_path):
    import resource
    d = tmp_path / 'run'; shutil.copytree(run025, d)
    before = (d / 'last.pt').read_bytes()
    assert len(before) > 100_000
    def limit(): resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    r = subprocess.run([str(EXE), 'train', str(FX / 'synth_sfs'), str(FX / 'synth_wild'), '--out', str(d), '--width', '0.25', '--epochs', '2', '--bs', '3',
                        '--workers', '0'], capture_output=True, text=True, timeout=300, preexec_fn=limit)
    assert r.returncode == 1 and no_traceback(r) == (f'illumres train: {d}/last.pt: could not be written (file too large: the file-size limit (ulimit -f) '
                                                     'is 100,000 bytes): free disk space or lift the file-size limit (ulimit -f), then rerun the same command: '
                                                     'it resumes from the last checkpoint written'), r.stderr[-3000:]
    assert (d / 'last.pt').read_bytes() == before and (d / 'model.pt').read_bytes() == (run025 / 'model.pt').read_bytes()   # as they were
    assert not [p.name for p in d.iterdir() if p.name.startswith('.')]                 # no temporary left

# 9. Ctrl-C and kill -9
def children(pid):
    "Processes whose parent is `pid` (from /proc)."
    out = []
    for p in Path('/proc').iterdir():
        try:
            if p.name.isdigit() and int((p / 'stat').read_text().rsplit(')', 1)[1].split()[1]) == pid: out.append(int(p.name))
        except (OSError, IndexError, ValueError): pass
    return out

def alive(pid):
    try: return (Path('/proc') / str(pid) / 'stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError: return False

def wait_for(cond, timeout=120):
    t = time.time()
    while not cond():
        if time.time() - t > timeout: raise TimeoutError
        time.sleep(0.2)

STARTED = []

def start(*args):
    "Start `illumres ARGS` in its own process group (as a shell does), stopped for good at the end of the test."
    # a terminal's Ctrl-C reaches a foreground job; a job started in the background of a non-interactive shell (nohup
    # make test &) inherits SIGINT ignored, and Python keeps it so: give the command the default handler back
    p = subprocess.Popen([str(EXE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    STARTED.append(p)
    return p

@pytest.fixture(autouse=True)
def _stop_started():
    yield
    while STARTED:
        p = STARTED.pop()
        try: os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError: pass
        p.communicate()

def manifest_lines(d):
    m = d / 'manifest.jsonl'
    return len(m.read_text().splitlines()) if m.exists() else 0

def test_synth_ctrl_c_records_the_finished_and_stops_the_workers(tmp_path):
    d = tmp_path / 'syn'
    p = start('synth', str(d), '--n', '300', '--workers', '2')
    wait_for(lambda: manifest_lines(d) >= 6)
    workers = children(p.pid)
    os.killpg(p.pid, signal.SIGINT)                                    # as a terminal does: to the whole group
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130 and 'Traceback' not in err, err
    n = manifest_lines(d)
    assert err.strip().splitlines()[-1] == f'illumres synth: interrupted; kept {n} finished samples in {d} (listed in manifest.jsonl); rerun the same command to make the rest'
    assert n < 300 and len(list(d.rglob('*_face_*.png'))) == n         # every finished sample is recorded, no more were made
    wait_for(lambda: not any(alive(w) for w in workers), 10)

def test_synth_workers_stop_with_a_killed_parent(tmp_path):
    d = tmp_path / 'syn'
    p = start('synth', str(d), '--n', '300', '--workers', '2')
    wait_for(lambda: manifest_lines(d) >= 1)
    workers = children(p.pid)
    assert workers
    p.kill(); p.wait()
    try: wait_for(lambda: not any(alive(w) for w in workers), 30)     # the pool workers and the resource tracker
    except TimeoutError:
        left = [f"{w}: {(Path('/proc') / str(w) / 'cmdline').read_bytes().replace(bytes(1), b' ').decode()[:120]}" for w in workers if alive(w)]
        raise AssertionError(f'still running 30 s after the parent was killed: {left}') from None

def test_train_ctrl_c_says_what_was_kept(tmp_path):
    d = tmp_path / 'run'
    p = start('train', str(FX / 'synth_sfs'), str(FX / 'synth_wild'), '--out', str(d), '--width', '0.25', '--epochs', '1000', '--bs', '3', '--workers', '0')
    wait_for(lambda: (d / 'last.pt').exists())
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130 and 'Traceback' not in err, err
    assert re.fullmatch(rf'illumres train: interrupted; kept {re.escape(str(d / "last.pt"))} \(\d+ of 1000 epochs done\); rerun the same command to resume', err.strip().splitlines()[-1])

def test_reproduce_ctrl_c_says_what_was_kept(tmp_path):
    d = tmp_path / 'res'
    p = start('reproduce', '--out', str(d), '--config', 'tiny', '--runs', 'sfsnet')
    wait_for(lambda: (d / 'sh_interpolation.png').exists())
    time.sleep(2)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130 and 'Traceback' not in err, err
    msg = f'illumres reproduce: interrupted; finished steps are kept in {d} (datasets, runs/*/last.pt, cached results); rerun the same command to resume'
    assert err.strip().splitlines()[-1] == msg, err     # on a line of its own, last: the bar the interrupt stopped is closed before it

# 1, 10, 11: commands that load the model, run in one process (see `run_in_one`)
@pytest.fixture(scope='module')
def made(clash, tmp_path_factory):
    t = tmp_path_factory.mktemp('made')
    (t / 'crops').mkdir(); (t / 'nogt').mkdir()
    for f in ('0_face.png', '0_mask.png'):
        shutil.copy(FX / 'pseudo' / f, t / 'crops' / f); shutil.copy(FX / 'pseudo' / f, t / 'nogt' / f.replace('0_', 'me_'))
    cases = dict(decompose=['decompose', str(clash), '--all-faces', '--out', f'{t}/dec'],
                 crop=['crop-faces', str(clash), f'{t}/crop', '--all-faces', '--size', '64'],
                 masks=['decompose', f'{t}/crops/0_face.png', f'{t}/crops/0_mask.png', '--cropped', '--out', f'{t}/masks'],
                 relight=['relight', str(FX / 'photos' / 'obama.jpg'), '--direction', '-30,20', '--out', f'{t}/x.png'],
                 eval=['eval', f'{t}/nogt', '--out', f'{t}/m.json'],
                 pseudo=['pseudo-label', str(FX / 'photos'), f'{t}/pl'],
                 heldout=['eval', '--heldout', '--n', '6', '--heldout-dir', f'{t}/ho', '--out', f'{t}/h.json'])
    return t, dict(zip(cases, run_in_one(list(cases.values()))))

# 1. output names never collide
def test_decompose_output_names_never_collide(made):
    t, (code, out, err) = made[0], made[1]['decompose']
    assert code == 0, err
    faces = sorted(p.name for p in (t / 'dec').glob('*_face.png'))
    assert out.startswith(f'{len(faces)} faces decomposed') and len(faces) == 5, (out, faces)
    assert 'names kept apart: obama.jpg -> obama_jpg, obama.png -> obama_png, two_people.jpg face 2 -> two_people_1_2' in out
    a, b = (Image.open(t / 'dec' / f'obama_{e}_face.png').tobytes() for e in ('jpg', 'png'))
    assert a != b

def test_crop_faces_output_names_never_collide(made):
    t, (code, out, err) = made[0], made[1]['crop']
    assert code == 0, err
    assert out.startswith('5 faces from 4 photos') and len(list((t / 'crop').glob('*_face.png'))) == 5, out

# 10. masks are never inputs; a negative azimuth needs no '='
def test_decompose_skips_masks_given_as_inputs(made):
    t, (code, out, err) = made[0], made[1]['masks']
    assert code == 0 and out.startswith('1 faces decomposed'), out + err
    assert not list((t / 'masks').glob('0_mask_*')) and (t / 'masks' / '0_face_normal.png').exists()

def test_relight_negative_azimuth_with_a_space(made):
    t, (code, out, err) = made[0], made[1]['relight']
    assert code == 0, err
    assert Image.open(t / 'x.png').size == Image.open(FX / 'photos' / 'obama.jpg').size      # the whole photo, at its size

# 11. smaller
def test_eval_without_ground_truth_says_so_and_writes_standard_json(made):
    t, (code, out, err) = made[0], made[1]['eval']
    assert code == 0, err
    assert 'n/a' in out and 'metrics need ground truth' in out and 'nan' not in out.lower().replace('n/a', '')
    assert 'evaluating: 100%' in err                                    # a labelled progress bar
    m = json.loads((t / 'm.json').read_text(), parse_constant=lambda c: pytest.fail(f'non-standard JSON {c}'))
    assert None in m.values()

def test_eval_heldout_reports_the_generalization_gap(made):
    t, (code, out, err) = made[0], made[1]['heldout']
    assert code == 0, err
    assert "framed 'fill', training shapes 'procedural'" in out          # the shipped 64 px SfSNet's training data
    for s in ('training', 'ict', 'ict_new_expressions', 'procedural'): assert f'| `{s}` | 6 |' in out, out
    rows = json.loads((t / 'h.json').read_text())['heldout']
    assert len(rows) == 16 and {r['set'] for r in rows if r['metric'] == 'normal_mean' and r['gap'] > 1.5} >= {'ict', 'ict_new_expressions'}
    assert sorted(p.name for p in (t / 'ho').iterdir()) == sorted(f'{s}_64px_fill_6' + ('_procedural' if s == 'training' else '')
                                                                  for s in ('training', 'ict', 'ict_new_expressions', 'procedural'))

def test_pseudo_label_links_back_to_photos(made):
    t, (code, out, err) = made[0], made[1]['pseudo']
    assert code == 0, err
    assert (t / 'pl' / 'sources.csv').read_text().splitlines() == ['name,photo', f"0,{FX / 'photos' / 'astronaut.jpg'}", f"1,{FX / 'photos' / 'obama.jpg'}"]

def test_no_mixed_precision_help_reads_right():
    r = run('train', '--help')
    assert '(default: True)' not in r.stdout and 'this flag turns it off' in r.stdout

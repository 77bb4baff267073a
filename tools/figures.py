"""`make figures`: run notebooks and keep the figures they draw (and nothing else) as their saved outputs, so that a
reader of `nbs/` on GitHub sees every picture the prose talks about. Text, logs and progress bars are dropped; cells
flagged `#| slow`, `#| cuda`, `#| notest` or `#| eval: false` are skipped, as in `nbdev-test`.

    python tools/figures.py [NOTEBOOK ...]     # default: every notebook in nbs/ that draws
    python tools/figures.py --check            # fail if a notebook that draws keeps no image
"""
import argparse, os, re, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

NBS = Path(__file__).resolve().parent.parent/'nbs'
SKIP = re.compile(r'^#\|\s*(slow|cuda|notest|eval:\s*false)\b', re.M)
DRAWS = re.compile(r'\b(plt\.|show_\w+\(|\w+_figure\(|\w*_grid\(|imshow\()')

def draws(nb) -> bool:
    "Whether a notebook calls drawing code in a cell that runs by default."
    return any(c.cell_type == 'code' and not SKIP.search(c.source) and DRAWS.search(c.source) and not c.source.startswith('#| export')
               and 'no figure kept' not in c.source for c in nb.cells)     # a cell that only saves and closes its figure says so

def has_image(nb) -> bool:
    return any('image/png' in o.get('data', {}) for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', []))

def small_png(b64: str, colours: int = 128) -> str:
    "The PNG re-encoded with at most `colours` colours (figures of faces and plots lose nothing visible; a third of the bytes)."
    import base64, io
    from PIL import Image
    im = Image.open(io.BytesIO(base64.b64decode(b64))).convert('RGB').quantize(colours, method=Image.Quantize.MEDIANCUT)
    buf = io.BytesIO(); im.save(buf, format='PNG', optimize=True)
    return base64.b64encode(buf.getvalue()).decode() if buf.tell() < len(b64) * 3 // 4 else b64

def keep_images(cell):
    outs = [dict(output_type='display_data', metadata={}, data={'image/png': small_png(o['data']['image/png'])})
            for o in cell.get('outputs', []) if 'image/png' in o.get('data', {})]
    cell['outputs'] = outs
    if cell.cell_type == 'code': cell['execution_count'] = None

def render(path: Path):
    nb = read_nb(path)
    cwd = os.getcwd(); os.chdir(path.parent)
    try:
        sh = CaptureShell()
        sh.run_all(nb, exc_stop=True, preproc=lambda c: c.cell_type != 'code' or bool(SKIP.search(c.source)))
    finally: os.chdir(cwd)
    for c in nb.cells:
        if c.cell_type == 'code': keep_images(c)
    write_nb(nb, path)
    n = sum(len(c.get('outputs', [])) for c in nb.cells if c.cell_type == 'code')
    print(f'{path.name}: {n} figures kept, {path.stat().st_size / 1024:.0f} KB', flush=True)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*'); ap.add_argument('--check', action='store_true')
    ap.add_argument('--recompress', action='store_true', help='only re-encode the kept images, without running')
    a = ap.parse_args()
    paths = [Path(p).resolve() for p in a.notebooks] or sorted(p for p in NBS.glob('*.ipynb') if draws(read_nb(p)))
    if a.check:
        missing = [p.name for p in paths if draws(read_nb(p)) and not has_image(read_nb(p))]
        if missing: print('these notebooks draw figures but keep none (run `make figures`): ' + ' '.join(missing)); sys.exit(1)
        print(f'{len(paths)} notebooks that draw keep their figures'); sys.exit(0)
    if a.recompress:
        for p in paths:
            nb = read_nb(p)
            for c in nb.cells:
                if c.cell_type == 'code': keep_images(c)
            write_nb(nb, p); print(f'{p.name}: {p.stat().st_size / 1024:.0f} KB')
        sys.exit(0)
    for p in paths: render(p)

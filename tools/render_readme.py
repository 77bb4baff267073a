"""Render README.md from index.ipynb without Quarto (nbconvert's markdown exporter).

Cells flagged `#| hide` are dropped and `#|` directive lines are stripped, as nbdev does for its docs.
Usage: python tools/render_readme.py           # write README.md
       python tools/render_readme.py --check   # exit 1 if README.md is not what index.ipynb renders to
"""
import sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- Generated from index.ipynb by tools/render_readme.py (`make readme`): edit the notebook, not this file. -->\n\n'

def _directives(src):
    return [l[3:].strip() for l in src.splitlines() if l.startswith('#|')]

def render(nb_path=ROOT/'index.ipynb') -> str:
    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for c in nb.cells:
        ds = _directives(c.source) if c.cell_type == 'code' else []
        if 'hide' in ds: continue
        if c.cell_type == 'code':
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip('\n')
            for o in c.get('outputs', []):
                if any(k.startswith('image/') for k in o.get('data', {})):
                    raise SystemExit(f'{nb_path}: image outputs cannot go into README.md; link a committed figure instead')
        cells.append(c)
    nb.cells = cells
    nb.metadata['language_info'] = {'name': 'python'}      # nbdev-clean strips it; nbconvert needs it for fences
    body, _ = MarkdownExporter().from_notebook_node(nb)
    return HEADER + body.strip() + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            print('README.md does not match index.ipynb: run `make readme` and commit both'); sys.exit(1)
        print('README.md matches index.ipynb')
    else:
        readme.write_text(text); print(f'wrote {readme}')

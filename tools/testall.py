"""The whole test suite, as `make test` runs it; the last line is `N passed, N failed`.

1. the library is in sync with the notebooks (`nbdev-export` changes nothing in illumres/);
2. README.md is in sync with index.ipynb, and every notebook that draws keeps its figures (`make figures`);
3. every notebook runs under `nbdev-test` (index.ipynb included); `--flags "slow cuda"` adds flagged cells;
4. the pytest suite in tests/ (the installed console script, end to end).
A run in which no notebook executed fails.
"""
import argparse, hashlib, os, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
counts = dict(passed=0, failed=0, skipped=0)

def record(name, ok, detail=''):
    counts['passed' if ok else 'failed'] += 1
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  (' + detail + ')' if detail else ''}", flush=True)

def snapshot():
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((ROOT/'illumres').rglob('*.py'))}

def check_export():
    before = snapshot()
    r = subprocess.run([BIN/'nbdev-export'], cwd=ROOT, capture_output=True, text=True)
    after = snapshot()
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    detail = 'changed: ' + ', '.join(changed) + ' -- make the notebooks the source, export, commit both' if changed else ''
    record('library in sync with notebooks', r.returncode == 0 and not changed, detail or r.stderr.strip()[-300:])

def check_readme():
    r = subprocess.run([sys.executable, ROOT/'tools'/'render_readme.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    record('README.md in sync with index.ipynb', r.returncode == 0, '' if r.returncode == 0 else (r.stdout + r.stderr).strip()[-300:])

def check_figures():
    r = subprocess.run([sys.executable, ROOT/'tools'/'figures.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    record('notebooks that draw keep their figures', r.returncode == 0, '' if r.returncode == 0 else (r.stdout + r.stderr).strip()[-300:])

def run_notebooks(flags):
    from nbdev.doclinks import nbglob
    files = [p.name for p in nbglob(str(ROOT), as_path=True)]
    if not files:
        record('notebooks found', False, 'no notebook is eligible for nbdev-test'); return 0
    cmd = [str(BIN/'nbdev-test'), str(ROOT), '--n-workers', '2', '--timing'] + (['--flags', flags] if flags else [])
    print(f"running {len(files)} notebooks: {' '.join(cmd[1:])}", flush=True)
    t0 = time.time()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    out = r.stdout + r.stderr
    failed = set()
    if 'Failed On The Following Notebooks' in out:
        tail = out.split('Failed On The Following Notebooks')[-1]
        failed = {l.strip() for l in tail.splitlines() if l.startswith('\t')}
    if r.returncode != 0 and not failed: failed = set(files)    # crashed before reporting
    if failed: print(out[-6000:], flush=True)                     # the failing cells' tracebacks
    secs = {l.split(':')[0]: l.split(':')[1].strip() for l in r.stdout.splitlines() if l.endswith(' secs')}
    for f in files: record(f'notebook {f}', f not in failed, secs.get(f, ''))
    print(f'notebooks took {time.time() - t0:.0f} s', flush=True)
    return len(files)

def run_pytest():
    if not (ROOT/'tests').is_dir(): return
    with tempfile.TemporaryDirectory() as d:
        xml = Path(d)/'junit.xml'
        subprocess.run([sys.executable, '-m', 'pytest', str(ROOT/'tests'), '-q', '-p', 'no:cacheprovider', f'--junitxml={xml}'], cwd=ROOT)
        if not xml.exists(): record('pytest suite', False, 'pytest did not run'); return
        for case in ET.parse(xml).getroot().iter('testcase'):
            name = f"pytest {case.get('classname', '').split('.')[-1]}::{case.get('name')}"
            if case.find('skipped') is not None:
                counts['skipped'] += 1; print(f'SKIP  {name}  ({case.find("skipped").get("message", "")})')
            else: record(name, case.find('failure') is None and case.find('error') is None)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--flags', default=os.environ.get('FLAGS', ''), help='nbdev-test flags to run, e.g. "slow"')
    args = ap.parse_args()
    check_export()
    check_readme()
    check_figures()
    ran = run_notebooks(args.flags)
    run_pytest()
    if ran == 0: counts['failed'] += 1
    skipped = f", {counts['skipped']} skipped" if counts['skipped'] else ''
    print(f"{counts['passed']} passed, {counts['failed']} failed{skipped}")
    sys.exit(1 if counts['failed'] else 0)

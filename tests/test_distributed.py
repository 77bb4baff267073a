"""Distributed training and sharded generation, with two CPU processes (gloo) started by `torchrun`.

Each training test runs one process and two processes on the same global batch and seed, on the fixtures, at the
same time (the two processes are interrupted after their first checkpoint and restarted, so they also resume):
the parameters must match. The tolerance: one process against two is not bit-exact (sums run in another order,
synchronised BatchNorm computes its statistics its own way, gloo adds the gradients), and Adam turns rounding into
differences that grow over the steps. Measured on SfSNet after 3 steps, as ||two - one|| / ||one - start|| over all
parameters: 1.3e-3, where one process on 1 thread against 2 threads (rounding only) gives 1.6e-4; the errors the
tolerance must catch give 0.66 (BatchNorm not synchronised) and 5.6e-3 (each rank dividing its loss by its own
mask count). TOL = 3e-3 sits between. Every process is started in its own session and killed at the end, even
when a test fails."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import torch

BIN = Path(sys.executable).parent
FX = Path(__file__).resolve().parent.parent / 'tests_data'
TOL = 3e-3
ARGS = ['--bs', '4', '--width', '0.125', '--workers', '0', '--no-mixed-precision', '--seed', '0']
ENV = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')


class Procs:
    "Processes started in their own sessions; `close` kills whatever is left of them (torchrun and its workers)."
    def __init__(self): self.procs = []
    def start(self, cmd, log):
        p = subprocess.Popen([str(c) for c in cmd], stdout=open(log, 'w'), stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
        self.procs.append(p); return p
    def kill(self, p):
        if p.poll() is None:
            try: os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError: pass
        p.wait()
    def close(self):
        for p in self.procs: self.kill(p)

@pytest.fixture
def procs():
    ps = Procs()
    yield ps
    ps.close()

def train_cmd(out, n, method, epochs):
    args = ['train', FX / 'synth_sfs', FX / 'synth_wild', '--out', out, '--method', method, '--epochs', str(epochs), *ARGS]
    if n == 1: return [BIN / 'illumres', *args]
    return [BIN / 'torchrun', '--standalone', '--nproc_per_node', str(n), BIN / 'illumres', *args]

def wait(p, log, timeout=240):
    try: p.wait(timeout)
    except subprocess.TimeoutExpired: pytest.fail(f'timed out: {Path(log).read_text()[-3000:]}')
    assert p.returncode == 0, Path(log).read_text()[-3000:]
    return Path(log).read_text()

def relative_difference(method, a, b) -> float:
    "||a - b|| / ||a - start|| over the trained parameters of run folders `a` and `b` (start: the seeded initial model)."
    from illumres.learner import build_model
    torch.manual_seed(0)
    init = build_model(method, 0.125, 64).state_dict()
    sa, sb = (torch.load(Path(r) / 'model.pt', weights_only=True) for r in (a, b))
    assert sa.keys() == sb.keys()
    keys = [k for k in sa if sa[k].is_floating_point() and 'running_' not in k]
    diff = sum((sa[k] - sb[k]).double().norm() ** 2 for k in keys) ** .5
    step = sum((sa[k] - init[k]).double().norm() ** 2 for k in keys) ** .5
    assert step > 1e-3                                                 # it trained
    return float(diff / step)

def one_vs_two(tmp_path, procs, method, epochs=3, interrupt=True):
    "Train `method` in one process and in two (interrupted after the first checkpoint, then resumed), at the same time."
    one, two = tmp_path / 'one', tmp_path / 'two'
    p1 = procs.start(train_cmd(one, 1, method, epochs), tmp_path / 'one.log')
    p2 = procs.start(train_cmd(two, 2, method, epochs), tmp_path / 'two.log')
    if interrupt:
        t0 = time.time()
        while not (two / 'last.pt').exists():
            assert p2.poll() is None, (tmp_path / 'two.log').read_text()[-3000:]
            assert time.time() - t0 < 240, 'no checkpoint'
            time.sleep(0.05)
        procs.kill(p2)                                                     # every rank stops
        done = torch.load(two / 'last.pt', weights_only=True)['epoch']
        assert done < epochs - 1, 'finished before the interruption: nothing to resume'
        p2 = procs.start(train_cmd(two, 2, method, epochs), tmp_path / 'two2.log')
        log2 = wait(p2, tmp_path / 'two2.log')
        assert log2.count(f'resuming {two} at epoch {done + 1} on 2 processes') == 1, log2[-3000:]
    else: log2 = wait(p2, tmp_path / 'two.log')
    wait(p1, tmp_path / 'one.log')
    assert log2.count('wrote ') == 1                                       # rank 0 prints, rank 1 does not
    # one checkpoint, written by rank 0 (only it writes: no temporary left behind by another writer)
    assert sorted(p.name for p in two.iterdir()) == ['args.json', 'last.pt', 'model.pt']
    assert json.loads((two / 'args.json').read_text())['processes'] == 2
    assert torch.load(two / 'last.pt', weights_only=True)['epoch'] == epochs - 1
    return relative_difference(method, one, two)

def test_sfsnet_two_processes_match_one_and_resume(tmp_path, procs):
    d = one_vs_two(tmp_path, procs, 'sfsnet')
    assert d < TOL, f'two processes differ from one by {d:.2e} (relative to the training step)'

def test_gan_method_two_processes_match_one(tmp_path, procs):
    d = one_vs_two(tmp_path, procs, 'residue_albedo_gan', interrupt=False)     # method 5: the critic outside DDP
    assert d < TOL, f'two processes differ from one by {d:.2e}'

def test_two_phase_gan_method_two_processes_match_one_and_resume(tmp_path, procs):
    d = one_vs_two(tmp_path, procs, 'residue_gan_separate')          # method 6: two phases (GAN, then residue), a BatchNorm critic
    assert d < TOL, f'two processes differ from one by {d:.2e}'

def test_bs_must_split_over_processes(tmp_path, procs):
    cmd = train_cmd(tmp_path / 'r', 2, 'sfsnet', 1)
    cmd[cmd.index('--bs') + 1] = '3'
    p = procs.start(cmd, tmp_path / 'log')
    p.wait(120)
    assert p.returncode != 0 and '--bs 3 does not split over 2 processes: pass a multiple of 2' in (tmp_path / 'log').read_text()

def test_synth_shards_equal_one_run(tmp_path, procs):
    "Two shards, run at the same time into one folder, and one run: the same files, manifest.jsonl included."
    common = ['--n', '6', '--size', '64', '--seed', '5', '--workers', '1']
    ps = [procs.start([BIN / 'illumres', 'synth', tmp_path / 'sh', *common, '--shard', f'{k}/2'], tmp_path / f'sh{k}.log') for k in range(2)]
    p1 = procs.start([BIN / 'illumres', 'synth', tmp_path / 'one', *common], tmp_path / 'one.log')
    for k, p in enumerate(ps): wait(p, tmp_path / f'sh{k}.log', 120)
    wait(p1, tmp_path / 'one.log', 120)
    def files(r): return {str(p.relative_to(r)): p.read_bytes() for p in r.rglob('*') if p.is_file()}
    one, sh = files(tmp_path / 'one'), files(tmp_path / 'sh')
    assert sorted(set(sh) - set(one)) == ['manifest.0-of-2.jsonl', 'manifest.1-of-2.jsonl']
    assert len(one) == 2 + 6 * 7 and all(sh[k] == v for k, v in one.items())

"""Real-browser test of the lighting app: `illumres app` (Voila on 127.0.0.1, a free port) opened in headless
Chromium driven by Playwright. It starts on a photo that is not square, with the model that carries a residue for
the target light (`relight_residue`), checks that the page shows the whole photo relit at its resolution and aspect
ratio, moves the interpolation slider and checks that the relit photo on the page changed, equals
`illumres.widget.lighting_views` for the slider's new value, and carries that light's residue: the shadows and
highlights moved with the light (not SH alone, not the first light's residue).

Needs Debian's chromium (`tools/ensure_chromium.sh`, run by `make test`, installs it with apt-get); Playwright's own
browser download is never used. Without Chromium or Playwright the test is skipped, and says why."""
import base64, os, shutil, signal, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pytest

CHROMIUM = os.environ.get('ILLUMRES_CHROMIUM', '/usr/bin/chromium')
EXE = Path(sys.executable).parent / 'illumres'
METHOD = 'relight_residue'                                         # the model with a residue for any light
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update']

def _fetch_png(page, selector):
    "The bytes of the image an <img> element shows (ipywidgets hands it a blob: URL)."
    b64 = page.eval_on_selector(selector, '''async e => {
        if (!e.src) return '';
        const b = new Uint8Array(await (await fetch(e.src)).arrayBuffer());
        let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }''')
    return base64.b64decode(b64)

def _decode(png):
    import cv2
    a = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return None if a is None else a[..., ::-1]                     # BGR -> RGB

@pytest.fixture
def app():
    "`illumres app` on a free port; stopped (with its Voila server and kernels) at the end."
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f'no Chromium at {CHROMIUM}: run tools/ensure_chromium.sh as root (apt-get install chromium) for the real-browser test')
    pytest.importorskip('playwright.sync_api', reason='playwright (a dev dependency) is not installed')
    log = Path(tempfile.mkdtemp(prefix='illumres_app_test_'))/'app.log'
    photo = log.with_name('wide.png')                                  # a photo that is not square: its shape must show
    from PIL import Image
    import skimage.data
    Image.fromarray(skimage.data.astronaut()[:400]).save(photo)
    err = open(log.with_name('stderr.txt'), 'w')
    proc = subprocess.Popen([str(EXE), 'app', '--log', str(log), '--face', str(photo), '--method', METHOD], stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()                                  # printed once Voila answers
        assert 'http://127.0.0.1:' in line, f'illumres app printed {line!r}: {log.with_name("stderr.txt").read_text()[-500:]}'
        yield line[line.index('http://'):].split()[0], log, photo
    finally:
        proc.send_signal(signal.SIGTERM)                               # illumres app stops Voila, Voila its kernels
        try: proc.wait(30)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait()
        err.close()

def test_slider_relights_the_face_in_chromium(app):
    from playwright.sync_api import sync_playwright
    import torch
    from illumres.widget import LightingWidget, lighting_views
    from illumres.ratio import decompose_photo, photo_relighter
    from illumres.interp import interp_lights, relative_light, TARGET, MAX_SIDE
    from illumres.show import to_uint8
    url, log, photo = app
    shots = Path(tempfile.mkdtemp(prefix='illumres_browser_'))
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(shots/'profile'), executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = ctx.new_page()
            page.set_default_timeout(90_000)
            page.goto(url, wait_until='domcontentloaded')
            page.wait_for_selector('img.illumres-relit', state='visible')       # kernel started, widget rendered
            page.wait_for_function("() => document.querySelector('img.illumres-relit').src.startsWith('blob:')")
            before = _fetch_png(page, 'img.illumres-relit')
            shown = _decode(before)                                             # the whole photo, at its resolution and shape
            assert shown is not None and shown.shape[:2] == (400, 512), None if shown is None else shown.shape
            box = page.eval_on_selector('img.illumres-relit', 'e => [e.naturalWidth, e.naturalHeight, e.clientWidth, e.clientHeight]')
            assert box[:2] == [512, 400] and box[2] > 64 and box[3] > 64, box
            assert abs(box[2] / box[3] - 512 / 400) < 0.02, f'the page shows the photo at {box[2]}x{box[3]}, not at its aspect ratio 512:400'

            readout = '.illumres-t .widget-readout'
            assert page.inner_text(readout).strip() == '0.00'
            page.focus('.illumres-t .noUi-handle')
            for _ in range(10): page.keyboard.press('ArrowRight')               # 10 steps of 0.05
            page.wait_for_function(f"() => document.querySelector('{readout}').textContent.trim() === '0.50'")
            t = float(page.inner_text(readout))
            d = decompose_photo(photo, method=METHOD, max_side=MAX_SIDE); rl = photo_relighter(d)
            assert 'relight_net' in d, 'the app model carries no residue for the target light'
            target = relative_light(d['light'], **TARGET)
            Lt = interp_lights(d['light'], target, t, LightingWidget.DEFAULTS['how'])
            want = to_uint8(lighting_views(d, Lt, relighter=rl)['relit'])
            t0 = time.time()
            while True:                                                         # the kernel answers asynchronously
                got = _decode(_fetch_png(page, 'img.illumres-relit'))
                if got is not None and got.shape == want.shape and np.abs(got.astype(int) - want).max() <= 2: break
                if time.time() - t0 > 30:
                    diff = None if got is None else np.abs(got.astype(int) - want).max()
                    pytest.fail(f'the page shows a relit face that differs from lighting_views at t={t} (max diff {diff}); log: {log}')
                time.sleep(0.25)
            old = _decode(before)
            assert np.abs(old.astype(int) - got).mean() > 0.3, 'moving the slider did not change the relit face'
            assert np.abs(old.astype(int) - to_uint8(lighting_views(d, d['light'], relighter=rl)['relit'])).max() <= 2   # t=0: own light
            # the shadow moved: the page is not SH alone under the new light, nor SH plus the first light's residue
            from illumres.interp import light_residue
            win = rl.win                                                        # the face's window in the photo
            face = lambda x: x[win[1]:win[3], win[0]:win[2]].astype(int)
            sh_only = to_uint8(lighting_views(d, Lt, 0., relighter=rl)['relit'])
            from illumres.sh import sh_shading
            stale = to_uint8(rl(sh_shading(d['normal'], Lt) + light_residue(d, d['light']))[0].clamp(0, 1))
            assert np.abs(face(got) - face(sh_only)).mean() > 0.5, 'the page shows SH alone: no residue'
            assert np.abs(face(got) - face(stale)).mean() > 0.5, "the page shows the first light's residue: it did not move"
            moved = (light_residue(d, Lt) - light_residue(d, d['light'])).abs().mean().item()
            assert moved > 0.005, moved
            page.screenshot(path=str(shots/'lighting_app.png'), full_page=True)
            print(f'screenshot: {shots/"lighting_app.png"}')
        finally:
            ctx.close()
            shutil.rmtree(shots/'profile', ignore_errors=True)

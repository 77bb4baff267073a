"""Detection rate and face-mask accuracy of the two face detectors of `illumres.photos`, where the truth is known.

    python tools/face_accuracy.py [--synth N] [--yale ../shared/data/yale_b/CroppedYale] [--real ../shared/data/real_faces_train --real-n 200]
    python tools/face_accuracy.py --calibrate ../shared/data/real_faces_train   # the landmark framing against the Haar crops

- Rendered faces (`illumres synth`, photo framing, 128 px, ICT shapes): the face mask is known. Each rendered image is
  treated as a photo: detected, cropped at 64 px, and its mask compared (IoU) with the rendered face mask cropped the
  same way, over the crop pixels inside the image.
- Extended Yale B (cropped, subjects 1-10, every photo whose flash fired): detection under each light, and the IoU of
  the mask with the photometric-stereo region (`illumres.yale.subject_ps`, its valid mask), over the crop pixels inside
  the photo. The cropped Yale photos hold the face from brows to chin and little else: this IoU mostly says how much
  of that the mask covers.
- Real training photos (no masks): the detection rate of each detector on `--real-n` photos per source.

'old' is the Haar detector with its eye alignment and the ellipse mask; 'new' is dlib's detectors, the landmark
framing and the landmark mask. Prints markdown tables; nothing is written. Not part of the package: it reads ../shared.
"""
from __future__ import annotations
import argparse, json, math, random, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from PIL import Image
from illumres.photos import read_image, detect_faces, _crop, _grey, _eyes, _refine, _warp, _crop_affine, CROP_SIDE

SIZE = 64
DETS = {'old': 'haar', 'new': 'landmarks'}


def inside(shape, framing, size=SIZE):
    "Bool (size,size): crop pixels whose centre falls inside an image of `shape (H,W)`."
    cx, cy, w, angle = framing
    inv = np.linalg.inv(np.r_[_crop_affine((cx, cy), w, angle, size), [[0, 0, 1]]])[:2]
    v, u = np.mgrid[0:size, 0:size] + 0.5
    x, y = inv[0, 0] * u + inv[0, 1] * v + inv[0, 2], inv[1, 0] * u + inv[1, 1] * v + inv[1, 2]
    return (x >= 0) & (x <= shape[1]) & (y >= 0) & (y <= shape[0])


def truth_crop(mask, framing, size=SIZE):
    "The true mask `(H,W)` cropped as `framing` crops the photo, thresholded at 0.5."
    cx, cy, w, angle = framing
    return _warp(torch.as_tensor(mask, dtype=torch.float32)[None].expand(2, -1, -1), np.array([cx, cy]), w, angle, size)[..., 0] >= 0.5


def score(img, truth) -> dict:
    "Per detector: found (bool), IoU of its mask with `truth (H,W)` (None if not found), seconds."
    out = {}
    for k, det in DETS.items():
        t = time.perf_counter()
        b = detect_faces(img, det)
        if not len(b): out[k] = (False, None, time.perf_counter() - t); continue
        _, m, fr, _ = _crop(img, b[0], SIZE, True, det)
        ins = inside(img.shape[1:], fr)
        tr = truth_crop(truth, fr) & ins
        m = m[0].numpy() > 0.5
        out[k] = (True, float((m & tr).sum() / max(1, (m | tr).sum())), time.perf_counter() - t)
    return out


def table(name, rows):
    lines = []
    for k in DETS:
        found = [r[k][0] for r in rows]; ious = [r[k][1] for r in rows if r[k][0]]
        both = [r[k][1] for r in rows if r['old'][0] and r['new'][0]]
        lines.append(f"| {name} | {k} ({DETS[k]}) | {len(rows)} | {100 * np.mean(found):.1f}% | "
                     f"{np.mean(ious):.3f} | {np.mean(both):.3f} | {1000 * np.median([r[k][2] for r in rows]):.0f} |")
    return lines


def synth_rows(n):
    from illumres.data import synthesize
    d = tempfile.mkdtemp()
    synthesize(d, n, 128, shapes='ict', poses=1, lights=1, framing='photo', workers=2, progress=False)
    rows = []
    for line in open(Path(d)/'manifest.jsonl'):
        r = json.loads(line)
        img = read_image(Path(d)/r['files']['face'])
        truth = np.asarray(Image.open(Path(d)/r['files']['mask']).convert('L')) > 127
        s = score(img, truth); s['yaw'] = abs(r['view']['pose'][0]); rows.append(s)
    return rows


def yale_rows(root):
    from illumres.yale import read_subject, subject_ps, is_moderate
    rows = []
    for f in sorted(Path(root).glob('yaleB*')):
        s = read_subject(f); ps = subject_ps(s)
        for i in range(len(s['names'])):
            if s['failed'][i]: continue
            r = score(s['imgs'][i][None].expand(3, -1, -1).contiguous(), ps['mask'].numpy())
            r['moderate'] = bool(is_moderate(s['az'][i], s['el'][i])); r['frontal'] = abs(float(s['az'][i])) <= 25 and abs(float(s['el'][i])) <= 25
            rows.append(r)
    return rows


def real_rates(root, n):
    rng, lines = random.Random(0), []
    for src in ('utkface', 'celeba_10k', 'celeba_ids'):
        fs = rng.sample(sorted((Path(root)/src).rglob('*.jpg')), n)
        found = {k: 0 for k in DETS}
        for f in fs:
            img = read_image(f)
            for k, det in DETS.items(): found[k] += len(detect_faces(img, det)) > 0
        lines.append(f"| {src} | {n} | {100 * found['old'] / n:.1f}% | {100 * found['new'] / n:.1f}% |")
    return lines


def calibrate(root, n=150):
    "Where the landmarks' eyes and mouth sit in the Haar crops (crop sides): the constants of `illumres.photos.landmark_framing`."
    from illumres.photos import _dlib_faces, _landmarks, _largest_first
    rng, out = random.Random(1), []
    fs = [f for s in ('utkface', 'celeba_10k', 'celeba_ids') for f in rng.sample(sorted((Path(root)/s).rglob('*.jpg')), n)]
    for f in fs:
        img = read_image(f); g = _grey(img)
        b = detect_faces(img, 'haar')
        lb = _largest_first(_dlib_faces(g))
        if not len(b) or not len(lb): continue
        b = b[0].tolist(); c, w, angle = np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]), b[2] - b[0], 0.
        e = _eyes(g, b)
        if e is not None: angle = math.degrees(math.atan2(e[1][1] - e[0][1], e[1][0] - e[0][0]))
        if (r := _refine(g, c, w, angle)) is not None: c, w = r
        pts = _landmarks(g, lb[0]); S, t = CROP_SIDE * w, math.radians(angle)
        R = np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])
        q = (pts - c) @ R.T / S + 0.5
        el, er, mo = q[36:42].mean(0), q[42:48].mean(0), q[48:68].mean(0); mid = (el + er) / 2
        out.append((*mid, np.linalg.norm(er - el), np.linalg.norm(mo - mid)))
    a = np.array(out); a = a[np.abs(a[:, :2] - [0.5, 0.42]).max(1) < 0.08]          # the same face found by both
    I0, E0 = np.median(a[:, 2]), np.median(a[:, 3])
    print(f"{len(a)} photos: eye midpoint x {np.median(a[:, 0]):.3f} (sd {a[:, 0].std():.3f}), y {np.median(a[:, 1]):.3f} "
          f"(sd {a[:, 1].std():.3f}); eye distance {I0:.4f}, eyes to mouth {E0:.4f} of the Haar crop side")
    for name, s in (('eye distance', a[:, 2] / I0), ('eyes to mouth', a[:, 3] / E0), ('their mean', (a[:, 2] / I0 + a[:, 3] / E0) / 2)):
        print(f"  scale from {name}: log-sd {np.log(s).std():.3f} against the Haar crop's")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--synth', type=int, default=300, help='rendered faces (0: none)')
    p.add_argument('--yale', default='../shared/data/yale_b/CroppedYale', help="CroppedYale folder ('' : none)")
    p.add_argument('--real', default='', help='real_faces_train folder: detection rates of both detectors')
    p.add_argument('--real-n', type=int, default=200)
    p.add_argument('--calibrate', default='', help='real_faces_train folder: measure the landmark framing against the Haar crops, and stop')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    if a.calibrate: calibrate(a.calibrate); return 0
    head = ['| faces | detector | photos | detected | mask IoU (detected) | mask IoU (both detected) | median ms |', '|---|---|---:|---:|---:|---:|---:|']
    lines = []
    if a.synth:
        rows = synth_rows(a.synth)
        lines += table('rendered (ICT, photo framing)', rows)
        lines += table('rendered, yaw over 30 deg', [r for r in rows if r['yaw'] > 30])
    if a.yale and Path(a.yale).is_dir():
        rows = yale_rows(a.yale)
        lines += table('Yale B 1-10, every light', rows)
        lines += table('Yale B, photometric-stereo lights', [r for r in rows if r['moderate']])
        lines += table('Yale B, lights within 25 deg of the camera', [r for r in rows if r['frontal']])
    print('\n'.join(head + lines))
    if a.real:
        print('\n| source | photos | detected (old: Haar) | detected (new: landmarks) |\n|---|---:|---:|---:|')
        print('\n'.join(real_rates(a.real, a.real_n)))
    return 0


if __name__ == '__main__': sys.exit(main())

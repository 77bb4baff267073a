"""Face inverse rendering: SfSNet and the illumination-residue methods, as a literate nbdev package

Modules:

- `illumres.bench`: Speed is measured here, not asserted in tests: each benchmark prints a table whose rows are measured in the same run as their references (a naive implementation and a plain memory copy), so ratios mean something on a shared, noisy machine.
- `illumres.cli`: `illumres <command> [options]`: one console script whose subcommands are thin wrappers over the same functions the notebooks call.
- `illumres.data`: SfSNet's file layout (so users' existing data trains directly), lossless extra maps, a resumable writer, `load_sample`, readers for both SfSNet layouts, flip augmentation that keeps the ground truth consistent, and fastai loaders for synthetic, real and mixed batches.
- `illumres.decompose`: A trained model applied to real photos: detect and crop the face, decompose it into normals, albedo, light, shading and reconstruction, and write each as a file, with a grid to look at. The same pass writes the pseudo-labels SfSNet trained on.
- `illumres.gan`: The albedo critics of methods 5-7, adversarial training as one fastai callback (a generator term added to the loss, one critic step per batch, every step zeroing its gradients), and explicit training phases that switch which parts train.
- `illumres.interp`: Relight a decomposed face with a new light, interpolate lighting between two lights or two faces, scale the residue to see what it carries; strips, GIFs, figures, and a widget (Jupyter or a Voila app) to do it by hand.
- `illumres.learner`: `sfs_learner` builds the fastai `Learner` every method and the command line use: model, masked loss with per-term reporting, metrics, mixed precision that really runs on CPU, and atomic per-epoch checkpoints that an interrupted run resumes from.
- `illumres.losses`: Masked reductions and SfSNet's supervised loss: masked L1 (or SmoothL1) on normals, albedo and the reconstruction, MSE on the 27 light coefficients, ground-truth terms only for samples that have ground truth.
- `illumres.mesh`: Head shapes for the synthetic-face generator: a procedural head made in code (identity, expression, pose), and a reader for the ICT-FaceKit morphable model, both in one canonical frame with per-vertex part labels, surface coordinates and anchors.
- `illumres.metrics`: The numbers of this field (reference.md, section 5), masked to the face and one per sample: normal angular error, scale-invariant and local scale-invariant MSE, PSNR and SSIM, light coefficient and rendered-sphere errors; `evaluate_batch` and `summarize` for whole datasets, and fastai metrics for validation.
- `illumres.models`: SfSNet built from named parts (trunk, two residual branches, two image heads, a light estimator) that later methods freeze or reuse; SkipNet for pseudo-labelling; parameter and MAC counts; all returning one named structure.
- `illumres.photos`: Read any folder of photos and turn each face into an aligned square crop and a face mask, the input SfSNet-style models decompose (128x128, or 64x64 for CPU work). Offline: no model is downloaded at run time.
- `illumres.raster`: A vectorised z-buffer in plain torch: depth, visible triangle and barycentrics per pixel, attributes interpolated from vertices, smooth vertex normals, cast shadows from shadow maps, and ambient occlusion.
- `illumres.reproduce`: `illumres reproduce`: generate the synthetic data, train SfSNet and the seven residue methods on the same data, evaluate all of them on held-out data of both domains and on real photos, and write the table and the figures that answer the package's question. Resumable, stage by stage.
- `illumres.residue`: The seven illumination-residue methods as configurations of shared parts on top of SfSNet: a second albedo branch, a residue (or latent-light) generator, a shading corrector, a shading generator and an albedo generator; which of them a method uses, how they combine, which parts train, and the original losses.
- `illumres.sh`: SfSNet's lighting model, pinned once: the basis, its constants, the axes, shading, lights from physical descriptions, conversions to the standard (l, m) order, rotation, interpolation and lit spheres.
- `illumres.synth`: Faces made in code (or from ICT-FaceKit), procedural skin albedo across the whole range of skin tones, SH lights whose directional parts also cast shadows and highlights, and an image formation stored component by component, so that `residue = face - albedo * shading` is known exactly."""

__version__ = "0.1.0"

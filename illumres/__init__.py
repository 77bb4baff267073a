"""Face inverse rendering: SfSNet and the illumination-residue methods, as a literate nbdev package

Modules:

- `illumres.bench`: Speed is measured here, not asserted in tests: each benchmark prints a table whose rows are measured in the same run as their references (a naive implementation and a plain memory copy), so ratios mean something on a shared, noisy machine.
- `illumres.cli`: `illumres <command> [options]`: one console script whose subcommands are thin wrappers over the same functions the notebooks call.
- `illumres.sh`: SfSNet's lighting model, pinned once: the basis, its constants, the axes, shading, lights from physical descriptions, conversions to the standard (l, m) order, rotation, interpolation and lit spheres."""

__version__ = "0.1.0"

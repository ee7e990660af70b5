"""Regenerate the Python code for protos/ into gen/.

Generates into a temporary folder with the pinned grpcio-tools and moves the result into place,
so a failed run never leaves half-written stubs. `--check` compares instead of writing and exits 1
when gen/ is stale.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
GEN_ROOT = ROOT / "gen"
PACKAGE = "torii"


def generate(out_dir: Path) -> None:
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package_dir in [out_dir / PACKAGE, *(p for p in (out_dir / PACKAGE).rglob("*") if p.is_dir())]:
        (package_dir / "__init__.py").touch()


def differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = [f"only in {comparison.left}: {n}" for n in comparison.left_only]
    found += [f"only in {comparison.right}: {n}" for n in comparison.right_only]
    found += [f"differs: {Path(comparison.left) / n}" for n in comparison.diff_files]
    for sub in comparison.subdirs:
        found += differences(left / sub, right / sub)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when gen/ is stale")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        if options.check:
            stale = (
                differences(fresh / PACKAGE, GEN_ROOT / PACKAGE)
                if (GEN_ROOT / PACKAGE).exists()
                else ["gen/ is missing"]
            )
            for line in stale:
                print(line, file=sys.stderr)
            return 1 if stale else 0
        GEN_ROOT.mkdir(exist_ok=True)
        target = GEN_ROOT / PACKAGE
        staging = GEN_ROOT / f".{PACKAGE}.new"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(fresh / PACKAGE, staging)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())

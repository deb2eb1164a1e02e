"""Make ``docs/report.png``, the README's picture of a class report: ``python docs/report_screenshot.py``.

A synthetic class of exercise-2 (``tests/class_builder.py``: right answers, the named mistakes of
``tests/test_exercise_2.py`` in realistic proportions, a syntax error, an empty file, a byte-for-byte
copy and a disguised copy) is graded for real by ``grade class`` (``--seed 2024``); ``grade report``
writes its ``report.html`` (names hidden), and headless Chromium (Debian's ``chromium``) takes the
screenshot, which Pillow (matplotlib's own dependency) reduces to a palette so the PNG stays small.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import class_builder  # noqa: E402
from tests.test_report import DISGUISED  # noqa: E402

# kind → how many students
PLAN = {"right": 14, "mistake:no_retain_grad": 7, "mistake:backward_twice": 4, "mistake:sum_instead_of_mean": 3,
        "mistake:manual_uses_autograd": 3, "mistake:forward_detaches_x": 2, "mistake:manual_returns_list": 1,
        "mistake:manual_hardcodes_six_elements": 2, "syntax": 1}
WIDTH, HEIGHT = 1100, 2350


def build(folder: Path) -> None:
    kinds = [kind for kind, count in PLAN.items() for _ in range(count)]
    random.Random(2024).shuffle(kinds)
    for number, kind in enumerate(kinds, start=1):
        class_builder.write(folder / f"student{number:02d}", kind, ".ipynb" if number % 3 == 0 else ".py")
    shutil.copyfile(folder / "student02.py", folder / "student40.py")  # a byte-for-byte copy
    (folder / "student41.py").write_text(DISGUISED, encoding="utf-8")  # another's program, disguised
    (folder / "student42.py").write_text("")


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("no chromium here (apt-get install chromium)")
    grade = [sys.executable, "-m", "autograd_exercises.cli"]
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        build(work / "submissions")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run(grade + ["class", "exercise-2", "submissions", "--seed", "2024"], cwd=work, env=env, check=False)
        subprocess.run(grade + ["report", "grades"], cwd=work, env=env, check=True)
        shot = work / "report.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={work / 'profile'}", f"--window-size={WIDTH},{HEIGHT}",
                        f"--screenshot={shot}", (work / "grades" / "report.html").as_uri()],
                       check=True, capture_output=True)
        from PIL import Image

        image = Image.open(shot).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        target = ROOT / "docs" / "report.png"
        image.save(target, optimize=True)
        print(f"wrote {target} ({target.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

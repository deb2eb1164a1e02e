"""JUnit XML: one ``<testsuite>`` per exercise, one ``<testcase>`` per check.

Valid against the common JUnit schema (Jenkins/Surefire ``junit-10.xsd``, as
pytest's own tests use; ``tests/data/junit-10.xsd``): a ``<testcase>`` holds
only ``<failure>``, ``<skipped>`` and output, so the points live in the suite's
``<properties>`` (``points:<check>`` = ``2/2``), scores are written like the
other reports (``8``, not ``8.0``), and a hidden check says so in its name, as
in the text report. A failed check is a ``<failure>`` whose message is the
feedback; an exercise not started is a suite with one skipped test case.
The graded file appears by name only (the suite's ``file``).
"""

from __future__ import annotations

import re
from typing import Any, Sequence
from xml.etree import ElementTree as ET

from autograd_exercises.results import ExerciseResult

# Characters XML 1.0 cannot carry at all (ElementTree would write them and produce a broken file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _points(value: float) -> str:
    return f"{value:g}"


def suite(result: ExerciseResult) -> ET.Element:
    failures = sum(1 for check in result.checks if not check.passed)
    attributes = {"name": result.exercise, "tests": str(len(result.checks)), "failures": str(failures),
                  "errors": "0", "skipped": "0", "time": f"{result.execution_time:.3f}"}
    if result.file_name:
        attributes["file"] = _xml(result.file_name)
    element = ET.Element("testsuite", attributes)
    props = ET.SubElement(element, "properties")
    for name, value in (("submission", result.file_name), ("choice", result.choice), ("problem", result.problem),
                        ("score", _points(result.score)), ("max_score", _points(result.max_score)),
                        ("seed", str(result.seed)), ("isolation", ",".join(result.isolation))):
        if value:
            ET.SubElement(props, "property", name=name, value=_xml(value))
    for check in result.checks:
        value = f"{_points(check.points)}/{_points(check.max_points)}" + (" hidden" if check.hidden else "")
        ET.SubElement(props, "property", name=f"points:{check.name}", value=value)
    for check in result.checks:
        name = check.name + (" (hidden)" if check.hidden else "")
        case = ET.SubElement(element, "testcase", classname=result.exercise, name=name, time=f"{check.wall:.3f}")
        if not check.passed:
            failure = ET.SubElement(case, "failure", message=_xml(check.feedback[:500]), type="CheckFailed")
            failure.text = _xml(f"{_points(check.points)}/{_points(check.max_points)} points: {check.feedback}")
        if check.output.strip():
            ET.SubElement(case, "system-out").text = _xml(check.output)
    if result.problem or result.notes:
        ET.SubElement(element, "system-out").text = _xml("\n".join(([result.problem] if result.problem else [])
                                                                    + [f"note: {note}" for note in result.notes]))
    return element


def not_started_suite(exercise: Any) -> ET.Element:
    """An exercise the student has not started: one skipped test case, no points counted."""
    element = ET.Element("testsuite", name=exercise.slug, tests="1", failures="0", errors="0", skipped="1",
                         time="0.000")
    props = ET.SubElement(element, "properties")
    ET.SubElement(props, "property", name="max_score", value=_points(exercise.points))
    case = ET.SubElement(element, "testcase", classname=exercise.slug, name="not started", time="0.000")
    ET.SubElement(case, "skipped", message=f"not started: no {exercise.stub} or {exercise.notebook}")
    return element


def render(results: Sequence[ExerciseResult], *, not_started: Sequence[Any] = (), **_: object) -> str:
    tests = sum(len(r.checks) for r in results)
    failures = sum(1 for r in results for check in r.checks if not check.passed)
    root = ET.Element("testsuites", name="autograd-exercises", tests=str(tests + len(not_started)),
                      failures=str(failures), errors="0", time=f"{sum(r.execution_time for r in results):.3f}")
    for result in results:
        root.append(suite(result))
    for exercise in not_started:
        root.append(not_started_suite(exercise))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

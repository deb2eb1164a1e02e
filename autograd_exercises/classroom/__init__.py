"""``grade class``: grade every submission of a class, in parallel, resumably.

Each part is a small unit; only :mod:`.batch` knows them all:

* :mod:`.layouts` finds the submissions (a folder of files, a folder per student, GitHub
  Classroom clones, nbgrader's ``submitted/``, or a ``.zip`` of any) and each one's student id;
* :mod:`.task` is the pure grading function ``(exercise, file name, bytes, seed, timeout,
  sandbox) -> row`` that every executor runs;
* :mod:`.executor` runs tasks: :class:`~.executor.LocalPool` (worker processes, one sandbox
  each) behind the :class:`~.executor.Executor` interface that :class:`~.dask_executor.DaskExecutor`
  shares (``--scheduler``: a dask.distributed cluster; :mod:`.dask_worker` is the workers' side);
* :mod:`.cache` is the resume cache, :mod:`.outputs` the files (CSV, Gradescope JSON,
  feedback, JUnit; all written atomically), :mod:`.gradebook` nbgrader's gradebook,
  :mod:`.progress` the progress bar or log lines;
* :mod:`.report` reads an output folder back into rows and writes the class report
  (``report.html``, :mod:`autograd_exercises.reports.class_report`), :mod:`.similar` finds
  submissions that are the same program once normalised.

Nothing here imports torch in the instructor's process: grading happens in the workers.
"""

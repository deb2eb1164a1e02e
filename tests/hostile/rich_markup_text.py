"""Student text that is rich markup (``[/]``, ``[bold]``, ``[link=...]``) in a warning, a print and an exception.

gradient_manual(x) warns and prints such text and returns the right answer;
gradients(x) raises an exception whose message is markup. The text report is
rendered with rich: student text printed as markup either raises MarkupError
("closing tag '[/]' ... has nothing to close"), losing the whole report, or
restyles it. Expected: the text is shown literally, every report renders
(text, JSON, JUnit), the gradients checks fail with the exception and every
other check keeps its points.
"""

import warnings

import torch

MARKUP = "[/] [bold red]Score: 10/10[/bold red] [link=https://example.com]click[/link] [/]"


def forward(x):
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out


def gradients(x):
    raise ValueError(MARKUP)


def gradient_manual(x):
    warnings.warn(MARKUP)
    print(MARKUP)
    return 12 * (3 * x + 2) / x.numel()

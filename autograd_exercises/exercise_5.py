# Student stub for exercise-5, generated from solutions/exercise_5.py by `grade build`.
# Fill in each function, then check your work with:  grade exercise-5
r"""# Exercise 5 — Calling backward more than once

We go back to the polynomial of exercise 1, summed over the elements of $x$ so
that the result is one number:

$$f(x) = \sum_i \big(2x_i^4 + x_i^3 + 3x_i^2 + 5x_i + 1\big), \qquad
\frac{\partial f}{\partial x_i} = 8x_i^3 + 3x_i^2 + 6x_i + 5.$$

Write it first, as `polynomial(x)`; the other functions build their graphs
with it. For $x = 2$: $f = 63$ and $f'(2) = 93$.

**A graph is spent by its first backward.** While computing $x^4$, autograd
keeps $x$ around, because the derivative $4x^3$ needs it. `backward()` uses
those saved values and then frees them, to give the memory back. A second
`out.backward()` on the same graph therefore fails with a `RuntimeError` that
says it is trying to go "backward through the graph a second time". If you
really need a second pass, ask the *first* call to keep the graph:
`out.backward(retain_graph=True)`; the last pass may then free it.

**Gradients add up.** `backward()` does not overwrite `x.grad`, it *adds* to it.
Two passes over the graph of $f$ at $x = 2$ leave `x.grad == 186.`, and so do
two passes over two freshly built graphs. That is handy (a large batch can be
processed in pieces whose gradients sum up), but in a training loop it means
you must clear the gradient before each new backward. Both ways are fine:

* `x.grad = None` — drop it; the next backward creates a fresh one (this is what
  `optimizer.zero_grad()` does by default);
* `x.grad.zero_()` — fill it with zeros in place; careful, `x.grad` is `None`
  before the first backward, so check for that first.

Your functions must work for a tensor `x` of any shape, in float32 and float64.
"""

import torch


def polynomial(x):
    r"""Return $f(x) = \sum_i (2x_i^4 + x_i^3 + 3x_i^2 + 5x_i + 1)$, a 0-dimensional tensor.

    Sum over all elements of ``x``, so that the result is one number that
    ``backward()`` can start from. When ``x`` requires gradients, the result
    is tracked.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def backward_twice(x):
    r"""Build ``out = polynomial(x)`` once, call ``out.backward()`` twice on it, and return ``x.grad``.

    The first call must keep the graph (``retain_graph=True``) so that the
    second one can run. ``x`` is a leaf with ``requires_grad=True`` and no
    gradient yet; the result is $2\,f'(x)$.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def second_backward_error(x):
    r"""Return the error raised by a second ``out.backward()`` when the first did not retain the graph.

    Build ``out = polynomial(x)``, call ``out.backward()``, then call it again
    on the same ``out`` inside ``try``/``except RuntimeError as err`` and return
    the exception object ``err`` itself (not its message).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def accumulated_grad(x, steps):
    r"""Call backward ``steps`` times, each on a freshly built ``polynomial(x)``, without clearing ``x.grad``.

    Return ``x.grad`` afterwards: the gradients add up to ``steps`` $\cdot f'(x)$.
    ``x`` is a leaf with ``requires_grad=True`` and no gradient yet.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def fresh_grad(x, steps):
    r"""Run ``steps`` rounds of: clear ``x.grad``, build ``polynomial(x)``, backward. Return ``x.grad``.

    The result is one gradient, $f'(x)$, however many rounds ran. ``x.grad``
    may already hold a stale gradient when the function is called, so clear it
    before each backward (``x.grad = None``, or ``x.grad.zero_()`` when it is
    not ``None``).
    """
    # YOUR CODE HERE
    raise NotImplementedError()

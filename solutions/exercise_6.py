r"""# Exercise 6 — Gradient descent with autograd

Autograd exists to *train*: to adjust parameters so that a loss goes down. The
simplest way is gradient descent. The gradient $\nabla_\theta L$ points to where
the loss grows fastest, so each step moves every parameter a little the other
way:

$$\theta \leftarrow \theta - \eta\, \frac{\partial L}{\partial \theta}$$

with a small *learning rate* $\eta$ (`lr`). We fit a linear model to data
$x$ of shape $(n, d)$ and targets $y$ of shape $(n, k)$, with the mean squared error:

$$z = x\,w + b, \qquad L(w, b) = \frac{1}{N}\sum_{i,j} (z_{ij} - y_{ij})^2 ,$$

where $N = n\cdot k$ is the number of elements of $z$. Autograd gives
$\partial L/\partial w = \tfrac{2}{N}\,x^\top (z - y)$ and
$\partial L/\partial b = \tfrac{2}{N}\sum_i (z_i - y_i)$, but you never write
these: `loss.backward()` fills `w.grad` and `b.grad`.

**One step of the loop** is: forward (compute $L$), `L.backward()`, update, clear the gradients.

* The update must not be recorded in the graph. Write it inside
  `with torch.no_grad():` and change the tensor **in place** (`w -= lr * w.grad`),
  so that `w` stays the same leaf. Outside `no_grad`, PyTorch refuses an in-place
  change of a leaf that requires gradients; and `w = w - lr * w.grad` would
  build a *new*, non-leaf `w` whose `.grad` is never filled.
* `backward()` adds into `.grad`, so clear it after the update (`w.grad.zero_()`
  or `w.grad = None`), or the next step would use the sum of all gradients so far.
* Record each step's loss as a plain number, `L.item()`: keeping the tensor
  would keep its whole graph alive.

**Worked example.** $x = [[0], [1], [2], [3]]$, $y = 2x + 1 = [[1], [3], [5], [7]]$,
starting from $w = [[0]]$, $b = [0]$ with $\eta = 0.05$. At the start $z = 0$ and
$L = (1 + 9 + 25 + 49)/4 = 21$; the gradients are
$\partial L/\partial w = \tfrac{2}{4}(0\cdot(-1) + 1\cdot(-3) + 2\cdot(-5) + 3\cdot(-7)) = -17$
and $\partial L/\partial b = \tfrac{2}{4}(-16) = -8$, so the first step gives
$w = 0.85$, $b = 0.4$. The losses go $21,\ 7.05875,\ 2.37302,\ 0.79810, \dots$ and
after 200 steps $w \approx 2.0001$, $b \approx 0.9999$: the line $y = 2x + 1$.

Your functions must work in float32 and float64, for any $n$, $d$ and $k$.
"""

import torch


def loss_fn(x, y, w, b):
    r"""The mean squared error $L = \frac{1}{N}\sum (xw + b - y)^2$ of the linear model, a 0-dimensional tensor.

    ``w`` and ``b`` require gradients; the loss must be tracked so that
    ``backward()`` reaches them.
    """
    ### BEGIN SOLUTION
    return ((x @ w + b - y) ** 2).mean()
    ### END SOLUTION


def sgd_step(params, lr):
    r"""One gradient-descent update $p \leftarrow p - \eta\,\nabla_p L$ for every tensor ``p`` in ``params``.

    Every ``p`` is a leaf whose ``p.grad`` holds its gradient. Change ``p`` in
    place, inside ``torch.no_grad()``, then clear ``p.grad`` (``zero_()`` or
    ``None``). Return nothing.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    ### END SOLUTION


def train(x, y, w, b, lr, steps):
    r"""Fit ``w`` and ``b`` with ``steps`` steps of gradient descent; return ``(losses, w, b)``.

    Each step: ``L = loss_fn(x, y, w, b)``, record ``L.item()`` in ``losses``,
    ``L.backward()``, then ``sgd_step([w, b], lr)``. ``losses[i]`` is the loss
    *before* the ``i``-th update, so ``losses[0]`` is the loss at the start and
    ``len(losses) == steps``. ``w`` and ``b`` are leaves that require gradients;
    return them, updated in place.
    """
    ### BEGIN SOLUTION
    losses = []
    for _ in range(steps):
        loss = loss_fn(x, y, w, b)
        losses.append(loss.item())
        loss.backward()
        sgd_step([w, b], lr)
    return losses, w, b
    ### END SOLUTION

r"""# Exercise 4 — The graph, and how to stop tracking it

Every operation on a tensor that requires gradients leaves a node behind: the
result remembers *which* operation made it in its `grad_fn` attribute, and that
node knows how to send a gradient back to the operation's inputs. Chained
together, these nodes are the graph that `backward()` walks.

Our graph is the smallest neural network: one layer. An input $x$, parameters
$w$ and $b$, and targets $y \in \{0, 1\}$:

$$z = x\,w + b, \qquad loss = \frac{1}{m}\sum_j \Big(\log\big(1 + e^{z_j}\big) - y_j z_j\Big)$$

where $m$ is the number of elements of $z$: that is
`torch.nn.functional.binary_cross_entropy_with_logits(z, y)`, the binary
cross-entropy of $\sigma(z)$ written so that it never overflows. Its gradient is
$\partial loss / \partial z_j = (\sigma(z_j) - y_j)/m$.

**Nodes.** `z.grad_fn` is an `AddBackward0` object (the last operation was `+ b`)
and `loss.grad_fn` a `BinaryCrossEntropyWithLogitsBackward0`. The class name is
`type(t.grad_fn).__name__` (the exact names can change between PyTorch versions;
the grader asks the installed one). A tensor nobody computed (a *leaf*, like `w`)
or one made without tracking has `grad_fn = None`.

**Leaves.** `backward()` stores gradients only in tensors that are leaves *and*
require gradients: the parameters. `z` requires gradients but is not a leaf, so
`z.grad` stays `None`; `x` is a leaf that does not require gradients, so it gets
none either.

**Stopping the tracking.** Three tools, three jobs:

* `with torch.no_grad():` — nothing computed inside is recorded. Use it to
  *predict* with a trained model: no graph is built, so no memory and time are
  spent on one.
* `t.detach()` — a tensor with the same values (the *same memory*) that is cut
  from the graph. Add `.clone()` when you need the values to stay put while `t`
  changes.
* `p.requires_grad_(False)` — *freezes* a parameter: the graph built afterwards
  does not reach `p`, so `backward()` leaves `p.grad` alone (fine-tuning trains
  only part of a network this way). `p.requires_grad_(True)` switches it back on,
  but only for graphs built **afterwards**: a loss computed while `p` was frozen
  has no path to `p`. Set the flags first, then compute the loss.

**Worked example.** With `x = torch.ones(5)`, `y = torch.zeros(3)`, every entry of
`w` equal to $0.1$ and `b = [0., -0.5, 0.5]`: $z = [0.5, 0, 1]$,
$loss = \tfrac13\big(\log(1+e^{0.5}) + \log 2 + \log(1+e)\big) \approx 0.9935$, and
after `loss.backward()` `b.grad` is $\sigma(z)/3 \approx [0.2075, 0.1667, 0.2437]$;
every row of `w.grad` equals `b.grad` because every $x_i = 1$. If `b` is frozen
first, `w.grad` is the same and `b.grad` stays `None`.

Your functions must work for a single input `x` of shape `(n,)` with `w` of shape
`(n, k)`, for a batch `x` of shape `(N, n)`, and for float32 and float64.
"""

import torch
import torch.nn.functional as F


def network(x, w, b, y):
    r"""The one-layer network: return ``(z, loss)`` with $z = xw + b$ and the mean BCE-with-logits loss.

    ``w`` and ``b`` are leaves with ``requires_grad=True``; ``x`` and ``y`` are
    plain tensors. Use ``torch.nn.functional.binary_cross_entropy_with_logits(z, y)``
    so that ``loss.backward()`` fills ``w.grad`` and ``b.grad``.
    """
    ### BEGIN SOLUTION
    z = x @ w + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    return z, loss
    ### END SOLUTION


def node_name(t):
    r"""The class name of ``t.grad_fn`` as a string (e.g. ``"AddBackward0"``), or ``None`` if it has none.

    Leaves and tensors computed without tracking have ``grad_fn = None``:
    return ``None`` itself for them, not the string ``"NoneType"``.
    """
    ### BEGIN SOLUTION
    return None if t.grad_fn is None else type(t.grad_fn).__name__
    ### END SOLUTION


def receives_grad(t):
    r"""``True`` when ``backward()`` would store a gradient in ``t.grad``, else ``False``.

    That holds for leaves that require gradients (the parameters), and for
    nothing else: not for computed tensors (no ``retain_grad`` here), not for
    inputs that do not require gradients. Return a Python ``bool``.
    """
    ### BEGIN SOLUTION
    return bool(t.is_leaf and t.requires_grad)
    ### END SOLUTION


def predict(x, w, b):
    r"""Return $z = xw + b$ without building a graph: the result has no ``grad_fn``.

    Compute it inside ``with torch.no_grad():``. Do not change ``w`` or ``b``
    (they must still require gradients afterwards), and leave gradient
    tracking switched on for the code that runs after ``predict``.
    """
    ### BEGIN SOLUTION
    with torch.no_grad():
        return x @ w + b
    ### END SOLUTION


def detached_copy(t):
    r"""A copy of ``t``'s values that is cut from the graph and does not change when ``t`` does.

    The result must not require gradients, must have no ``grad_fn``, and must
    keep its values when ``t`` is later modified in place. ``t`` itself must
    stay as it was (still tracked).
    """
    ### BEGIN SOLUTION
    return t.detach().clone()
    ### END SOLUTION


def freeze(params, frozen):
    r"""Freeze the parameters named in ``frozen`` and make every other one trainable.

    ``params`` is a dict from names to leaf tensors, ``frozen`` a list of some of
    those names. Switch the flag on the tensors themselves, in place, with
    ``requires_grad_``: ``False`` for the frozen ones, ``True`` for the others
    (a parameter may arrive frozen from an earlier stage). Return nothing.
    """
    ### BEGIN SOLUTION
    for name, p in params.items():
        p.requires_grad_(name not in frozen)
    ### END SOLUTION


def frozen_gradients(x, w, b, y, frozen):
    r"""Train only the parameters not in ``frozen``: return ``(w.grad, b.grad)`` after one backward.

    ``frozen`` is a list of names among ``"w"`` and ``"b"``. Call
    ``freeze({"w": w, "b": b}, frozen)`` *first*, then build the loss with
    ``network`` and call ``loss.backward()``. A frozen parameter's gradient is
    ``None``; a trainable one's is $\partial loss/\partial w$ (or $b$).
    """
    ### BEGIN SOLUTION
    freeze({"w": w, "b": b}, frozen)
    z, loss = network(x, w, b, y)
    loss.backward()
    return w.grad, b.grad
    ### END SOLUTION

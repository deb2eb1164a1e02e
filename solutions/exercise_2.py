r"""# Exercise 2 — Back-propagation through two layers

A graph can have stages between the input and the number you differentiate.
Here $x$ goes through two layers and a mean:

$$y = 3x + 2, \qquad z = 2y^2, \qquad out = \frac{1}{n}\sum_i z_i$$

where $n$ is the number of elements of $x$. By the chain rule, for every element

$$\frac{\partial\, out}{\partial x_i} = \frac{1}{n}\cdot 4y_i \cdot 3 = \frac{12\,(3x_i + 2)}{n},
\qquad \frac{\partial\, out}{\partial y_i} = \frac{4 y_i}{n}.$$

**Worked example.** For `x = [[1., 2., 3.], [3., 2., 1.]]` ($n = 6$), $y = [[5, 8, 11], [11, 8, 5]]$ and
`x.grad` is `[[10., 16., 22.], [22., 16., 10.]]`: at the first element, $12 \cdot 5 / 6 = 10$.

Autograd keeps `.grad` only for leaf tensors. To read the gradient of the
intermediate `y`, ask for it with `y.retain_grad()` *before* calling `backward()`.

Your functions must work for a tensor of any shape and for float32 and float64.
"""

import torch


def forward(x):
    r"""Build the graph $y = 3x + 2$, $z = 2y^2$, $out = \mathrm{mean}(z)$.

    ``x`` is a leaf tensor with ``requires_grad=True``. Return the tuple
    ``(y, z, out)``; ``out`` is a 0-dimensional tensor. Make ``y`` keep its
    gradient (``y.retain_grad()``), so that ``y.grad`` is filled after
    ``out.backward()``.
    """
    ### BEGIN SOLUTION
    y = 3 * x + 2
    y.retain_grad()
    z = 2 * y**2
    out = z.mean()
    return y, z, out
    ### END SOLUTION


def gradients(x):
    r"""Back-propagate $out$ and return $(\partial out/\partial x,\ \partial out/\partial y)$.

    ``x`` is a leaf tensor with ``requires_grad=True``. Use ``forward`` and
    ``backward()`` so that ``x.grad`` holds the gradient, then return the
    tuple ``(x.grad, y.grad)``.
    """
    ### BEGIN SOLUTION
    y, z, out = forward(x)
    out.backward()
    return x.grad, y.grad
    ### END SOLUTION


def gradient_manual(x):
    r"""Return $\partial out/\partial x = 12\,(3x + 2)/n$ computed by hand.

    Use tensor arithmetic only: no ``backward()``, no ``torch.autograd``, no library that differentiates for you
    (sympy), no numerical estimate (``out`` at ``x + h``). ``n`` is ``x.numel()``. The result has the shape of ``x``.
    """
    ### BEGIN SOLUTION
    return 12 * (3 * x + 2) / x.numel()
    ### END SOLUTION

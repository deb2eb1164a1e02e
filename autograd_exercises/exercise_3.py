# Student stub for exercise-3, generated from solutions/exercise_3.py by `grade build`.
# Fill in each function, then check your work with:  grade exercise-3
r"""# Exercise 3 — A one-layer network with binary cross-entropy

The smallest neural network maps an input $x$ with $n_{in}$ features to $n_{out}$
scores with one weight matrix $w$ of shape $(n_{in}, n_{out})$ and one bias $b$ of
shape $(n_{out},)$:

$$z = x\,w + b .$$

The scores $z$ are *logits*: any real number. The sigmoid $\sigma(z) = 1/(1 + e^{-z})$
turns each into a probability, and binary cross-entropy compares it with a target
$y \in \{0, 1\}$. Averaged over all $N$ elements of $z$ (the mean reduction):

$$L = \frac{1}{N}\sum_{k} -\big[\,y_k \log\sigma(z_k) + (1 - y_k)\log\big(1 - \sigma(z_k)\big)\big].$$

`torch.nn.functional.binary_cross_entropy_with_logits(z, y)` computes exactly this,
*from the logits*, in a way that stays finite however large $|z|$ is. (Its cousin
`binary_cross_entropy` expects probabilities in $[0, 1]$, not logits.)

**The gradient by hand.** Since $\sigma'(z) = \sigma(z)(1 - \sigma(z))$, the bracket
simplifies beautifully:

$$\frac{\partial L}{\partial z_k} = \frac{\sigma(z_k) - y_k}{N}.$$

Call this $\delta$ (shaped like $z$). The chain rule through $z = x w + b$ then gives

$$\frac{\partial L}{\partial w} = x^{\top}\delta, \qquad \frac{\partial L}{\partial b} = \sum_{\text{batch}} \delta .$$

For a single input ($x$ of shape $(n_{in},)$) the first is the outer product
$x_i\,\delta_j$ and the second is $\delta$ itself. For a batch ($x$ of shape
$(B, n_{in})$, $z$ and $y$ of shape $(B, n_{out})$, $N = B\,n_{out}$) the
products are summed over the batch: that is what the matrix product $x^\top \delta$ does.
`dL/dw` always has the shape of `w`, and `dL/db` the shape of `b`.

**Worked example.** With `torch.manual_seed(0)`, `w = torch.randn(5, 3)` and
`b = torch.randn(3)`, the input `x = torch.ones(5)` and target `y = torch.zeros(3)`
give $z \approx [1.3755, -0.6023, -4.8127]$ (the column sums of $w$ plus $b$),
$\sigma(z) \approx [0.7983, 0.3538, 0.0081]$ and $L \approx 0.6819$. Here $N = 3$, so
`b.grad` $= \sigma(z)/3 \approx$ `[0.2661, 0.1179, 0.0027]`, and since every $x_i = 1$,
each of the five rows of `w.grad` equals `b.grad`.

Your functions must work for a single input and for a batch, in float32 and float64.
"""

import torch


def layer(x, w, b):
    r"""Return the logits $z = x\,w + b$.

    ``x`` has shape ``(n_in,)`` or ``(batch, n_in)``, ``w`` shape ``(n_in, n_out)``
    and ``b`` shape ``(n_out,)``; ``z`` has shape ``(n_out,)`` or ``(batch, n_out)``.
    When ``w`` and ``b`` require grad, ``z`` is tracked by autograd.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def loss(z, y):
    r"""Return the binary cross-entropy of the logits ``z`` against the targets ``y``, averaged.

    ``y`` has the shape of ``z`` and holds values in $[0, 1]$. The result is a
    0-dimensional tensor, the mean over all elements, and it is finite for any logits.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def parameter_gradients(x, y, w, b):
    r"""Return $(\partial L/\partial w,\ \partial L/\partial b)$ computed by autograd.

    ``w`` and ``b`` are leaf tensors with ``requires_grad=True``. Build
    $L$ = ``loss(layer(x, w, b), y)``, back-propagate it once, and return the
    tuple ``(w.grad, b.grad)``: afterwards the ``.grad`` of the ``w`` and ``b``
    passed in hold these gradients.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def parameter_gradients_manual(x, y, w, b):
    r"""Return $(\partial L/\partial w,\ \partial L/\partial b)$ computed by hand.

    Use $\delta = (\sigma(z) - y)/N$ with $N$ = ``z.numel()``, then
    $\partial L/\partial w = x^\top \delta$ and $\partial L/\partial b = \sum_{batch} \delta$,
    for a single input and for a batch. Tensor arithmetic only: no
    ``backward()``, no ``torch.autograd``, no library that differentiates for you
    (sympy), no numerical estimate (the loss at ``w + h``). The results have the shapes of ``w`` and ``b``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

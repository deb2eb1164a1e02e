# Student stub for exercise-1, generated from solutions/exercise_1.py by `grade build`.
# Fill in each function, then check your work with:  grade exercise-1
r"""# Exercise 1 — The gradient of a polynomial

`torch.autograd` records every operation done on a tensor that has
`requires_grad=True` and, when you call `backward()`, walks that record in
reverse to compute derivatives. This exercise uses it on one function of one
variable, applied to every element of a tensor:

$$y = f(x) = 2x^4 + x^3 + 3x^2 + 5x + 1 .$$

Differentiating term by term (the power rule $\frac{d}{dx}x^k = k\,x^{k-1}$) gives the slope

$$\frac{dy}{dx} = f'(x) = 8x^3 + 3x^2 + 6x + 5 .$$

**Worked example.** At $x = 2$ the five terms of $f$ are $32, 8, 12, 10, 1$, so
$y = 63$; the four terms of $f'$ are $64, 12, 12, 5$, so $dy/dx = 93$:

```python
x = torch.tensor(2.0, requires_grad=True)
y = 2 * x**4 + x**3 + 3 * x**2 + 5 * x + 1   # tensor(63., grad_fn=<AddBackward0>)
y.backward()
x.grad                                        # tensor(93.)
```

**Many points at once.** `backward()` needs a single number to start from. When
$x$ holds many values, back-propagate $s = \sum_i f(x_i)$: because $f(x_j)$ does
not depend on $x_i$ for $j \ne i$, $\partial s / \partial x_i = f'(x_i)$, so
`x.grad` holds the slope at every element. (With a *mean* instead of the sum,
every slope would be divided by the number of elements.)

**Gradients accumulate.** `backward()` *adds* into `.grad`. If you differentiate
the caller's tensor itself, a second call on the same tensor returns twice the
answer. Work on a fresh leaf copy, `x.detach().clone().requires_grad_()`, so each
call starts from an empty `.grad` and the caller's tensor is left alone.

Your functions must work for a tensor of any shape (a 0-d tensor like `x = 2`
included) and for float32 and float64.
"""

import torch


def polynomial(x):
    r"""Return $y = 2x^4 + x^3 + 3x^2 + 5x + 1$, element by element.

    ``y`` has the shape of ``x``. Build it with tensor operations so that
    autograd can differentiate it: when ``x`` requires grad, ``y`` has a ``grad_fn``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def polynomial_grad(x):
    r"""Return $dy/dx$ at every element of ``x``, computed by autograd.

    ``x`` may or may not require grad. Differentiate ``polynomial`` on a fresh
    leaf copy of ``x`` (``backward()`` or ``torch.autograd.grad``) and return
    the gradient: a tensor shaped like ``x``. Calling it twice on the same ``x``
    gives the same answer.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def polynomial_grad_manual(x):
    r"""Return $dy/dx = 8x^3 + 3x^2 + 6x + 5$ computed by hand.

    Use tensor arithmetic only: no ``backward()``, no ``torch.autograd``, no
    library that differentiates for you (``numpy.polyder``, sympy), no numerical
    estimate (``polynomial`` at ``x + h``). The result has the shape of ``x``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

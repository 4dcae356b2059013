r"""One answer per problem in the Python spelling (`autograder.engine.read.pyform`).

Documentation that runs: the tests execute these examples and check each answer, so a
learner who prefers code can copy them.


    >>> from autograder.engine.read.pyform import *
    >>> x, z, s, a, tau, t, i, T = symbols("x z s a tau t i T")
    >>> p, q = density("p"), density("q")
    >>> elbo = [log(p(x)), Eq, log(Integral(p(x, z), z)),
    ...         Eq, log(E(q(z), p(x, z) / q(z))),
    ...         Ge, E(q(z), log(p(x, z) / q(z))),
    ...         Eq, E(q(z), log(p(x | z))) - KL(q(z), p(z))]
    >>> elbo_gap = [log(p(x)) - (E(q(z), log(p(x | z))) - KL(q(z), p(z))),
    ...             Eq, E(q(z), log(q(z) * p(x) / (p(x | z) * p(z)))),
    ...             Eq, KL(q(z), p(z | x))]
    >>> theta = symbols("theta"); pi, p_theta, R, J, b = (density("pi_theta"),
    ...     density("p_theta"), function("R"), function("J"), function("b"))
    >>> s_, a_ = sequence("s"), sequence("a")
    >>> policy_gradient = [grad(theta, J(theta)),
    ...     Eq, grad(theta, Integral(p_theta(tau) * R(tau), tau)),
    ...     Eq, E(p_theta(tau), R(tau) * Sum(grad(theta, log(pi(a_[t] | s_[t]))), (t, 0, T - 1)))]
    >>> pg_baseline = [E(pi(blank | s), grad(theta, log(pi(a | s))) * b(s), over=a),
    ...                Eq, b(s) * grad(theta, Sum(pi(a | s), a)), Eq, 0]
    >>> beta_1, mu, g, m = symbols("beta_1"), symbols("mu"), sequence("g"), sequence("m")
    >>> adam_unroll = [m[t], Eq, beta_1 * m[t - 1] + (1 - beta_1) * g[t],
    ...                Eq, (1 - beta_1) * Sum(beta_1 ** (t - i) * g[i], (i, 1, t))]
    >>> adam_bias = [E(m[t]), Eq, (1 - beta_1) * Sum(beta_1 ** (t - i) * E(g[i]), (i, 1, t)),
    ...              Eq, (1 - beta_1 ** t) * mu]
    >>> qv, kv, d_k = symbols("q k d_k")
    >>> attention_scaling = [Var(dot(qv, kv)), Eq, Sum(Var(qv[i] * kv[i]), (i, 1, d_k)), Eq, d_k]
    >>> xv, c, n, j = symbols("x c n j")
    >>> softmax_shift = [softmax(xv + c * ones)[i],
    ...                  Eq, exp(xv[i] + c) / Sum(exp(xv[j] + c), (j, 1, n)),
    ...                  Eq, softmax(xv)[i]]


`check("elbo", elbo)` then works like the LaTeX form.
"""

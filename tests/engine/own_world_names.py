"""The own worlds' names (issue 22): scalars, vector components, realisations, recurrences,
definitions read from their own text, functions and densities, a softmax family and its
Fisher information.  A mixin of `World` (tests/engine/own_world.py), split from it to keep
each module one job.
"""

from __future__ import annotations

import mpmath

from tests.engine.own_arithmetic import _apply, _index, _int, _key
from tests.engine.own_parser import Unknown, _Reader
from tests.engine.own_world_laws import _pick, _Table, noise_law, shared_law


class NamesMixin:
    """`World`'s names, calls, definitions, densities and the softmax family."""

    def set_model(self, theta) -> None:
        """The dataset's model p_θ = softmax(Φθ) at this θ (Φ kept)."""
        _, model, variable, features = self.model_param
        logits = [mpmath.fsum(t * a for t, a in zip(theta, row, strict=True)) for row in features]
        e = [mpmath.exp(x) for x in logits]
        self.tables[model] = (variable, [x / mpmath.fsum(e) for x in e])

    def plain_transpose(self, f, env):
        """`q^T k`: a vector to the power T (no scalar T here) is its transpose."""
        if f[0] == "pow" and f[2] == ("name", "T", "", None) and "T" not in self.scalars:
            if isinstance(self.value(f[1], env), list):
                return ("T", f[1])
        return f

    def name(self, e, env):
        _, base, accent, sub = e
        key = _key(base, accent, sub)
        if key in env and not isinstance(env[key], tuple):
            return env[key]
        if sub is None and base in env and not accent:
            return env[base]
        if key in self.moving:
            return self.moving[key]
        if "__at__" in env and sub is None:
            for m in self.models:
                table = m.function(key)
                if table is not None:
                    return table[env["__at__"]]
        if sub is not None and not accent:
            for m in self.models:
                if base in m.traj:
                    return m.step(e, env)
        if key in self.scalars:
            return self.scalars[key]
        if key in self.observed:
            return self.observed[key]
        if base == "e" and sub is None:
            return +mpmath.e
        if base == "I" and sub is None and not accent and self.models:
            model = next((m for m in self.models if hasattr(m, "p_pi")), None)
            if model is not None:
                return mpmath.eye(model.S)
        if sub is None and base in self.vectors and not accent:
            values = self.vectors[base]
            return [self.moving.get((base, k), v) for k, v in enumerate(values)]
        if sub is None and key in self.matrices:
            return self.matrices[key]
        if sub is None and base in self.random_vectors and not accent:  # q in q^\top k
            return [
                self.outcome(env, ("vec", base, k)) for k in range(self.random_vectors[base][0])
            ]
        if sub is not None:
            index = self.value(_Reader(list(sub)).whole(), env)
            if not accent and isinstance(env.get(base), list):
                values = env[base]
                return values[_index(index, len(values))]
            if not accent and base in self.vectors:
                values = self.vectors[base]
                k = _index(index, len(values))
                return self.moving.get((base, k), values[k])
            if not accent and base in self.random_vectors:
                return self.outcome(env, ("vec", base, _index(index, self.random_vectors[base][0])))
            if not accent and base in self.sequences:
                k = _int(index)
                if k < 1:
                    raise Unknown("a term before the sequence starts")
                return self.outcome(env, ("seq", base, k))
            if not accent and self.data is not None and base == self.data[0]:
                points = self.data[2]
                return points[_index(index, len(points))]
            if not accent and base in self.recurrences:
                return self.recurrence(base, _int(index), env)
            if (base, accent) in self.definitions:
                var, body = self.definitions[(base, accent)]
                return self.value(body, {**env, var: mpmath.mpf(_int(index))})
            whole = _key(base, accent, None)
            if whole in self.defaults:  # `\hat x_j`: a component of `\hat x` = `\hat x(x)`
                head = ("name", base, accent, None)
                values = self.call(("call", head, self.defaults[whole], ()), env)
                if isinstance(values, list):
                    return values[_index(index, len(values))]
            if base == "e" and not accent and self.ones and "e" not in self.scalars:
                k = _index(index, self.ones)  # the standard basis vector e_k
                return [mpmath.mpf(int(j == k)) for j in range(self.ones)]
        if key in self.defaults:
            head = ("name", base, accent, sub)
            return self.call(("call", head, self.defaults[key], ()), env)
        raise Unknown(f"no value for {key}")

    def outcome(self, env, what):
        omega = env.get("__omega__")
        if omega is None:  # outside an expectation: one realisation, drawn once per world
            return self.realised(what)
        if what not in omega:
            raise Unknown("an outcome not enumerated")
        return omega[what]

    def realised(self, what):
        if what not in self.realisation:
            pick = self.rng.random
            if what[0] == "vec":
                law = self.random_vectors[what[1]][1]
                self.realisation[what] = _pick(law, pick())
            else:
                name, j = what[1], what[2]
                if ("W", name) not in self.realisation:
                    self.realisation[("W", name)] = _pick(shared_law(), pick())
                noise = _pick(noise_law(), pick())
                self.realisation[what] = (
                    self.sequences[name] + mpmath.mpf(j) / 3 * self.realisation[("W", name)] + noise
                )
        return self.realisation[what]

    def recurrence(self, name, t, env):
        index, initial, rule = self.recurrences[name]
        if t in initial:
            return initial[t]
        if t < min(initial) or t > 40:
            raise Unknown("a term outside the recurrence")
        return self.value(rule, {**env, index: mpmath.mpf(t)})

    def call(self, e, env):
        _, head, args, given = e
        _, base, accent, sub = head
        key = _key(base, accent, sub)
        bound = env.get(key)
        if isinstance(bound, tuple) and bound[0] == "law":
            key = bound[1]
        if self.posterior is not None and key == self.posterior.joint:
            return self.posterior.density(args, given, env)
        if self.models and all(a[0] != "dot" for a in args):
            values = [self.value(a, env) for a in args]
            conditions = [self.value(a, env) for a in given]
            for m in self.models:
                found = m.call(key, values, conditions)
                if found is not None:
                    return found
        if (key, len(args)) in self.defines and not given and key in self.defaults:
            # `\hat x (\hat x^\top g)`: a call, or the name alone (its default) times a
            # bracket; the call where its argument fits, else the product
            try:
                return self.apply_define(key, args, env)
            except Unknown:
                if len(args) != 1 or args[0][0] == "name":  # `\mu(v)` is a call
                    raise
                alone = self.name(head, env)
                return _apply(lambda x, y: x * y, [alone, self.value(args[0], env)])
        if (key, len(args)) in self.defines and not given:
            return self.apply_define(key, args, env)
        if self.family is not None and base == self.family[0].head and sub is not None:
            if given or len(args) != 1:
                raise Unknown("a family's arguments")
            return self.family_law(sub, env)[_outcome(self.value(args[0], env), self.family[1])]
        if self.family is not None and key == self.family[0].fisher and not given:
            if len(args) != 1 or args[0] != ("name", self.family[0].param, "", None):
                raise Unknown("the Fisher information elsewhere than at θ")
            return self.fisher(env)
        if key in self.tables:
            return self.density(key, args, given, env)
        if key in self.smooth and not given:
            if len(args) != 1:
                raise Unknown("a function of one real with other arguments")
            x = self.value(args[0], env)
            if isinstance(x, list):
                raise Unknown("a function of one real at a vector")
            return self.smooth[key](x)
        if key in self.functions:
            over, table = self.functions[key]
            if given or len(args) != len(over):
                raise Unknown("a function's arguments")
            return table[tuple(_int(self.value(a, env)) for a in args)]
        if len(args) == 1 and not given:  # `y_j (1 - y_j)`: a name times a bracket
            return _apply(lambda x, y: x * y, [self.name(head, env), self.value(args[0], env)])
        raise Unknown(f"no function {key}")

    def apply_define(self, key, args, env):
        params, body = self.defines[(key, len(args))]
        inner = {k: v for k, v in env.items() if k == "__omega__"}
        for p, a in zip(params, args, strict=True):
            named = _key(a[1], a[2], a[3]) if a[0] == "name" else None
            if named is not None and isinstance(env.get(named), tuple):
                inner[p] = env[named]
            elif named is not None and (named in self.tables or (named, 1) in self.defines):
                inner[p] = ("law", named)
            else:
                inner[p] = self.value(a, env)
        return self.value(body, inner)

    def density(self, key, args, given, env):
        table = self.tables[key]
        if isinstance(table, _Table):
            names = []
            for k, a in enumerate(args + given):
                if a[0] == "name" and a[3] is None and a[1] in table.variables:
                    names.append(a[1])
                elif not given and len(args) == len(table.variables):
                    names.append(table.variables[k])
                else:
                    raise Unknown("a density's argument")
            if len(set(names)) != len(names):
                raise Unknown("a variable twice")
            values = {}
            for n, a in zip(names, args + given, strict=True):
                values[n] = _int(self.value(a, env))
                if not 0 <= values[n] < table.sizes[n]:
                    raise Unknown("an outcome outside the domain")
            return table.marginal(tuple(names[: len(args)]), tuple(names[len(args) :]), values)
        over, probs = table
        if given or len(args) != 1:
            raise Unknown("a law's arguments")
        k = _int(self.value(args[0], env))
        if not 0 <= k < len(probs):
            raise Unknown("an outcome outside the domain")
        return probs[k]

    def family_law(self, sub, env):
        """p_{sub} over the outcomes: softmax(Φ θ') with θ' the subscript's value (θ, θ + δ),
        the moving components of a derivative included."""
        theta = self.value(_Reader(list(sub)).whole(), env)
        _, features, warped = self.family
        if not isinstance(theta, list) or len(theta) != len(features[0]):
            raise Unknown("a family's parameter that is not its vector")
        if warped:  # softmax(Φ tanh θ): not an exponential family in θ
            theta = [mpmath.tanh(t) for t in theta]
        logits = [mpmath.fsum(a * t for a, t in zip(row, theta, strict=True)) for row in features]
        top = max(mpmath.re(x) for x in logits)
        w = [mpmath.exp(x - top) for x in logits]
        total = mpmath.fsum(w)
        return [x / total for x in w]

    def fisher(self, env):
        """F(θ) = Σ_x p_x s_x s_xᵀ with the score s_x = J (Φ_x − Φ̄), Φ̄ = Σ_x p_x Φ_x, J = I
        or diag(1 − tanh² θ) (this test's own formula for its two families)."""
        decl, features, warped = self.family
        p = self.family_law((decl.param,), env)
        d = len(features[0])
        theta = self.name(("name", decl.param, "", None), env)
        scale = [1 - mpmath.tanh(t) ** 2 if warped else mpmath.mpf(1) for t in theta]
        mean = [mpmath.fsum(p[x] * features[x][i] for x in range(len(p))) for i in range(d)]
        out = mpmath.matrix(d, d)
        for x, px in enumerate(p):
            c = [scale[i] * (features[x][i] - mean[i]) for i in range(d)]
            for i in range(d):
                for j in range(d):
                    out[i, j] += px * c[i] * c[j]
        return out


def _outcome(v, features) -> int:
    k = _int(v)
    if not 0 <= k < len(features):
        raise Unknown("an outcome outside the family's")
    return k

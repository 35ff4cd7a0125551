#!/usr/bin/env python3
"""Derive the Radau IIA (order 5) constants used by crates/ode/src/radau5/tableau.rs.

Prints, to 20 significant digits:
- the nodes c and the Butcher matrix A, from the collocation conditions
  A[i][j] = integral from 0 to c_i of the Lagrange basis polynomial l_j;
- the eigenvalues of inv(A): one real gamma and a complex pair alpha +- i beta;
- a real transformation T with inv(T) inv(A) T = [[gamma, 0, 0], [0, alpha, -beta],
  [0, beta, alpha]] and its inverse;
- the weights dd of the embedded error estimate (Hairer & Wanner, Solving ODEs II,
  2nd ed., 1996, section IV.8): the embedded solution
  y_hat = y0 + h (gamma0 f(x0, y0) + sum_i bhat_i f(Y_i)), gamma0 = 1 / gamma, has order
  3, and y_hat - y1 = gamma0 h f0 + sum_j e_j Z_j with e = inv(A)^T (bhat - b). The solver
  uses dd = e / gamma0;
- the matrix inv(V) that maps the stage increments Z to the coefficients of the
  collocation polynomial u(s) = y0 + p1 s + p2 s^2 + p3 s^3, where V[i][k] = c_i^(k+1).

Needs mpmath (50-digit arithmetic). Run: python3 scripts/reference/ode/radau_constants.py
"""

import mpmath as mp

mp.mp.dps = 50


def lagrange_integral(nodes, j, upper):
    """Integral from 0 to upper of the Lagrange basis polynomial l_j on nodes."""
    others = [c for k, c in enumerate(nodes) if k != j]
    denominator = mp.fprod(nodes[j] - c for c in others)
    # Expand prod (s - c) over the other nodes into monomial coefficients.
    poly = [mp.mpf(1)]
    for c in others:
        shifted = [mp.mpf(0)] + poly
        scaled = [-c * a for a in poly] + [mp.mpf(0)]
        poly = [a + b for a, b in zip(shifted, scaled)]
    return sum(a * upper ** (k + 1) / (k + 1) for k, a in enumerate(poly)) / denominator


def main():
    sq6 = mp.sqrt(6)
    c = [(4 - sq6) / 10, (4 + sq6) / 10, mp.mpf(1)]
    a = mp.matrix(3, 3)
    for i in range(3):
        for j in range(3):
            a[i, j] = lagrange_integral(c, j, c[i])
    b = [a[2, j] for j in range(3)]
    a_inv = a ** -1

    eigenvalues, eigenvectors = mp.eig(a_inv)
    real_index = min(range(3), key=lambda k: abs(mp.im(eigenvalues[k])))
    complex_index = max(range(3), key=lambda k: mp.im(eigenvalues[k]))
    gamma = mp.re(eigenvalues[real_index])
    alpha = mp.re(eigenvalues[complex_index])
    beta = mp.im(eigenvalues[complex_index])

    # Columns: the real eigenvector, then u and -w of the complex eigenvector u + i w
    # of alpha + i beta. Then inv(A) u = alpha u + beta (-w) and
    # inv(A) (-w) = -beta u + alpha (-w), which gives the block [[alpha, -beta], [beta, alpha]].
    t = mp.matrix(3, 3)
    real_vector = [mp.re(eigenvectors[r, real_index]) for r in range(3)]
    complex_vector = [eigenvectors[r, complex_index] for r in range(3)]
    # Normalise so that the last component of each column is 1 or 0, for readability.
    real_scale = real_vector[2]
    complex_scale = complex_vector[2]
    for r in range(3):
        t[r, 0] = real_vector[r] / real_scale
        z = complex_vector[r] / complex_scale
        t[r, 1] = mp.re(z)
        t[r, 2] = -mp.im(z)
    t_inv = t ** -1
    block = t_inv * a_inv * t

    gamma0 = 1 / gamma
    # Order-3 conditions for (gamma0, bhat): weights sum to 1, and integrate s and s^2.
    m = mp.matrix([[1, 1, 1], [c[0], c[1], c[2]], [c[0] ** 2, c[1] ** 2, c[2] ** 2]])
    rhs = mp.matrix([1 - gamma0, mp.mpf(1) / 2, mp.mpf(1) / 3])
    bhat = mp.lu_solve(m, rhs)
    e = a_inv.T * mp.matrix([bhat[k] - b[k] for k in range(3)])
    dd = [e[k] / gamma0 for k in range(3)]

    v = mp.matrix([[c[i] ** (k + 1) for k in range(3)] for i in range(3)])
    v_inv = v ** -1

    def show(name, value):
        print(f"{name} = {mp.nstr(value, 20)}")

    for i in range(3):
        show(f"c[{i}]", c[i])
    for i in range(3):
        for j in range(3):
            show(f"A[{i}][{j}]", a[i, j])
    show("gamma", gamma)
    show("alpha", alpha)
    show("beta", beta)
    for i in range(3):
        for j in range(3):
            show(f"T[{i}][{j}]", t[i, j])
    for i in range(3):
        for j in range(3):
            show(f"T_inv[{i}][{j}]", t_inv[i, j])
    print("check inv(T) inv(A) T:")
    print(mp.nstr(block, 12))
    for k in range(3):
        show(f"dd[{k}]", dd[k])
    print("closed forms: dd = (-(13 + 7 sqrt 6) / 3, (-13 + 7 sqrt 6) / 3, -1 / 3) =",
          mp.nstr(-(13 + 7 * sq6) / 3, 20), mp.nstr((-13 + 7 * sq6) / 3, 20), mp.nstr(mp.mpf(-1) / 3, 20))
    for i in range(3):
        for j in range(3):
            show(f"V_inv[{i}][{j}]", v_inv[i, j])


if __name__ == "__main__":
    main()

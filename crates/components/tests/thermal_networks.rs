//! Foster and Cauer networks, their validation and the conversions between them.

use pelab_components::thermal::{Cauer, Foster, ThermalError};

/// The datasheet example of the brief: an IGBT module's junction-to-case network.
const R_DATASHEET: [f64; 4] = [0.02, 0.08, 0.15, 0.05];
const TAU_DATASHEET: [f64; 4] = [1e-4, 1e-3, 1e-2, 0.1];

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// Logarithmic times from 1e-6 s to 10 s, 8 per decade.
fn log_times() -> Vec<f64> {
    (0..=56)
        .map(|i| 10f64.powf(-6.0 + i as f64 / 8.0))
        .collect()
}

#[test]
fn foster_zth_closed_form_and_limits() {
    let f = Foster::from_r_tau(&R_DATASHEET, &TAU_DATASHEET).unwrap();
    assert_eq!(f.pairs(), 4);
    assert!((f.r_total_k_per_w() - 0.30).abs() < 1e-15);
    assert_eq!(f.zth(0.0), 0.0);
    assert_eq!(f.zth(-1.0), 0.0);
    // One time constant after the step of the slowest pair, the others are settled.
    let t = 0.1;
    let expected: f64 = R_DATASHEET
        .iter()
        .zip(TAU_DATASHEET)
        .map(|(r, tau)| r * (1.0 - (-t / tau).exp()))
        .sum();
    assert!(rel(f.zth(t), expected) < 1e-15);
    assert!(rel(f.zth(1e3), 0.30) < 1e-15);
    // Small t: Zth ≈ t Σ Rᵢ/τᵢ = t / C₁ (the fastest capacity alone).
    let t = 1e-9;
    let slope: f64 = R_DATASHEET
        .iter()
        .zip(TAU_DATASHEET)
        .map(|(r, tau)| r / tau)
        .sum();
    assert!(rel(f.zth(t), slope * t) < 1e-4);
    // Z(0) = R_total, and Z(jω) → 0 at high frequency.
    let (re, im) = f.impedance(0.0);
    assert!(rel(re, 0.30) < 1e-15 && im == 0.0);
    let (re, im) = f.impedance(1e9);
    assert!(re.abs() < 1e-9 && im.abs() < 1e-5);
}

#[test]
fn foster_from_capacitances_matches_time_constants() {
    let c: Vec<f64> = R_DATASHEET
        .iter()
        .zip(TAU_DATASHEET)
        .map(|(r, t)| t / r)
        .collect();
    let a = Foster::from_r_c(&R_DATASHEET, &c).unwrap();
    let b = Foster::from_r_tau(&R_DATASHEET, &TAU_DATASHEET).unwrap();
    for (x, y) in a.tau_s().iter().zip(b.tau_s()) {
        assert!(rel(*x, *y) < 1e-15);
    }
    for (x, y) in a.c_j_per_k().iter().zip(&c) {
        assert!(rel(*x, *y) < 1e-15);
    }
}

#[test]
fn validation_names_the_field_value_and_range() {
    let err = Foster::from_r_tau(&[0.1, 0.2, 0.3], &[1e-3, 1e-2, -1.0]).unwrap_err();
    assert_eq!(err.field(), "tau_s[2]");
    let text = err.to_string();
    assert!(
        text.contains("tau_s[2] = -1") && text.contains("> 0 s"),
        "{text}"
    );

    let err = Foster::from_r_tau(&[0.1, f64::NAN], &[1e-3, 1e-2]).unwrap_err();
    assert_eq!(err.field(), "r_k_per_w[1]");
    assert!(err.to_string().contains("NaN"));

    let err = Foster::from_r_tau(&[], &[]).unwrap_err();
    assert!(matches!(err, ThermalError::Length { len: 0, .. }));
    assert_eq!(err.field(), "r_k_per_w");

    let err = Foster::from_r_tau(&[0.1; 65], &[1.0; 65]).unwrap_err();
    assert!(err.to_string().contains("1 to 64"), "{err}");

    let err = Foster::from_r_tau(&[0.1, 0.2], &[1e-3]).unwrap_err();
    assert_eq!(err.field(), "tau_s");

    let err = Foster::from_r_c(&[0.1], &[f64::INFINITY]).unwrap_err();
    assert_eq!(err.field(), "c_j_per_k[0]");

    let err = Cauer::new(&[0.1, 0.0], &[1.0, 2.0]).unwrap_err();
    assert_eq!(err.field(), "r_k_per_w[1]");
}

#[test]
fn one_stage_cauer_is_one_foster_pair() {
    let c = Cauer::new(&[0.5], &[2.0]).unwrap();
    for t in [1e-3, 0.1, 1.0, 10.0] {
        let expected = 0.5 * (1.0 - (-t / 1.0f64).exp());
        assert!(rel(c.zth(t), expected) < 1e-13, "t = {t}");
    }
    let f = c.to_foster().unwrap();
    assert!(rel(f.r_k_per_w()[0], 0.5) < 1e-15 && rel(f.tau_s()[0], 1.0) < 1e-15);
    let back = f.to_cauer().unwrap();
    assert!(rel(back.r_k_per_w()[0], 0.5) < 1e-15 && rel(back.c_j_per_k()[0], 2.0) < 1e-15);
}

#[test]
fn cauer_zth_by_state_space_matches_its_foster_equivalent() {
    // Two stages: Z(s) = 1/(sC₁ + 1/(R₁ + R₂/(1 + sR₂C₂))) has poles from the
    // characteristic polynomial; compare against the eigen-decomposition route.
    let c = Cauer::new(&[0.1, 0.4], &[0.01, 1.5]).unwrap();
    let f = c.to_foster().unwrap();
    // Poles: det(sC + G) = 0 with G = [[1/R1, −1/R1], [−1/R1, 1/R1 + 1/R2]].
    let (r1, r2, c1, c2): (f64, f64, f64, f64) = (0.1, 0.4, 0.01, 1.5);
    let a = c1 * c2;
    let b = c1 * (1.0 / r1 + 1.0 / r2) + c2 / r1;
    let cc = 1.0 / (r1 * r2);
    let disc = (b * b - 4.0 * a * cc).sqrt();
    let mut poles: [f64; 2] = [(b - disc) / (2.0 * a), (b + disc) / (2.0 * a)];
    poles.sort_by(|x, y| y.total_cmp(x)); // fast first = smallest τ
    for (tau, lambda) in f.tau_s().iter().zip(poles) {
        assert!(rel(1.0 / tau, lambda) < 1e-13);
    }
    assert!(rel(f.r_total_k_per_w(), 0.5) < 1e-14);
    for t in log_times() {
        let zc = c.zth(t);
        let zf = f.zth(t);
        assert!(
            (zc - zf).abs() <= 1e-12 * zf.max(1e-6),
            "t = {t}: {zc} vs {zf}"
        );
    }
}

/// Cauer I expansion by polynomial arithmetic (the textbook route), for checking the
/// Lanczos conversion on small networks. `s` is scaled by `t_ref`.
fn cauer_by_continued_fraction(r: &[f64], tau: &[f64], t_ref: f64) -> (Vec<f64>, Vec<f64>) {
    // Polynomials in σ = s t_ref, ascending coefficients.
    fn mul(a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; a.len() + b.len() - 1];
        for (i, x) in a.iter().enumerate() {
            for (j, y) in b.iter().enumerate() {
                out[i + j] += x * y;
            }
        }
        out
    }
    fn trim(mut p: Vec<f64>, degree: usize) -> Vec<f64> {
        p.truncate(degree + 1);
        p
    }
    let n = r.len();
    let mut den = vec![1.0];
    for t in tau {
        den = mul(&den, &[1.0, t / t_ref]);
    }
    let mut num = vec![0.0; n];
    for (i, ri) in r.iter().enumerate() {
        let mut term = vec![*ri];
        for (j, t) in tau.iter().enumerate() {
            if j != i {
                term = mul(&term, &[1.0, t / t_ref]);
            }
        }
        for (a, b) in num.iter_mut().zip(term) {
            *a += b;
        }
    }
    // Z = num/den, deg num = n − 1, deg den = n.
    let (mut zn, mut zd) = (num, den);
    let mut rs = Vec::new();
    let mut cs = Vec::new();
    for stage in 0..n {
        // Y = zd/zn = σ C' + rest: C' = lead(zd)/lead(zn).
        let deg_n = n - 1 - stage;
        let c_scaled = zd[deg_n + 1] / zn[deg_n];
        cs.push(c_scaled * t_ref);
        // rest numerator: zd − σ C' zn, degree deg_n.
        let mut rest = zd.clone();
        for (i, a) in zn.iter().enumerate() {
            rest[i + 1] -= c_scaled * a;
        }
        let rest = trim(rest, deg_n);
        // Z_rest = zn / rest: R = lead(zn)/lead(rest).
        let r_k = zn[deg_n] / rest[deg_n];
        rs.push(r_k);
        if stage + 1 == n {
            break;
        }
        // Z_next = zn/rest − R = (zn − R rest)/rest, degree deg_n − 1 over deg_n.
        let mut next = zn.clone();
        for (a, b) in next.iter_mut().zip(&rest) {
            *a -= r_k * b;
        }
        zn = trim(next, deg_n - 1);
        zd = rest;
    }
    (rs, cs)
}

/// The converted ladder reproduces the Foster network's `Zth(t)` and `Z(jω)`.
///
/// Tolerance: the conversion uses orthogonal transformations only (Lanczos with full
/// reorthogonalisation, then one tridiagonal solve on a matrix with condition
/// number `τ_max/τ_min`), so its backward error is a few `n ε` relative in the
/// spectral data and the elements lose at most about `log10(τ_max/τ_min)` digits.
/// The Cauer `Zth(t)` comes from an independent matrix exponential whose own error
/// is about `ε ‖A t‖` before scaling and squaring, i.e. a few hundred ε here. For
/// time constants spread over three decades that bounds the mismatch near
/// `1e-12`; the test allows `1e-10` on `Zth(t)` (relative to `Zth(t)`, for every
/// `t` from `1e-6` s to 10 s) and on `Z(jω)` (relative to `|Z|`, 1e-1 to 1e6 rad/s).
fn check_conversion(r: &[f64], tau: &[f64]) {
    let f = Foster::from_r_tau(r, tau).expect("valid network");
    let conv = f.to_cauer_checked().expect("valid network");
    let c = &conv.network;
    assert_eq!(c.stages(), r.len());
    assert!(
        conv.max_relative_error < 1e-12,
        "{}",
        conv.max_relative_error
    );
    assert!(rel(c.r_total_k_per_w(), f.r_total_k_per_w()) < 1e-13);
    // The first capacitance is 1/Σ(Rᵢ/τᵢ): it sets the initial slope of Zth.
    let inv_c1: f64 = r.iter().zip(tau).map(|(r, t)| r / t).sum();
    assert!(rel(c.c_j_per_k()[0], 1.0 / inv_c1) < 1e-13);
    for t in log_times() {
        let (zc, zf) = (c.zth(t), f.zth(t));
        assert!(
            rel(zc, zf) < 1e-10,
            "n = {}, t = {t}: {zc} vs {zf}",
            r.len()
        );
    }
    for i in 0..=70 {
        let w = 10f64.powf(-1.0 + i as f64 / 10.0);
        let (a, b) = (c.impedance(w), f.impedance(w));
        let err = (a.0 - b.0).hypot(a.1 - b.1) / b.0.hypot(b.1);
        assert!(err < 1e-10, "n = {}, ω = {w}: {err:e}", r.len());
    }
    // Back to Foster: the same pairs, sorted by τ.
    let back = c.to_foster().expect("valid network");
    let mut pairs: Vec<(f64, f64)> = tau.iter().copied().zip(r.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(back.pairs(), r.len());
    for ((t, rr), (bt, br)) in pairs.iter().zip(back.tau_s().iter().zip(back.r_k_per_w())) {
        assert!(
            rel(*bt, *t) < 1e-10 && rel(*br, *rr) < 1e-10,
            "{t} {rr} vs {bt} {br}"
        );
    }
}

#[test]
fn foster_to_cauer_two_three_four_pairs() {
    check_conversion(&[0.1, 0.3], &[1e-3, 5e-2]);
    check_conversion(&[0.05, 0.2, 0.25], &[2e-4, 3e-3, 8e-2]);
    check_conversion(&R_DATASHEET, &TAU_DATASHEET);
    // A SiC MOSFET: most of the resistance in the fast pairs.
    check_conversion(&[0.12, 0.21, 0.09, 0.02], &[3e-5, 4e-4, 6e-3, 0.05]);
}

#[test]
fn foster_to_cauer_agrees_with_the_continued_fraction_for_small_networks() {
    for (r, tau) in [
        (vec![0.1, 0.3], vec![1e-3, 5e-2]),
        (vec![0.05, 0.2, 0.25], vec![2e-4, 3e-3, 8e-2]),
        (R_DATASHEET.to_vec(), TAU_DATASHEET.to_vec()),
    ] {
        let t_ref = (tau[0] * tau[tau.len() - 1]).sqrt();
        let (rs, cs) = cauer_by_continued_fraction(&r, &tau, t_ref);
        let c = Foster::from_r_tau(&r, &tau).unwrap().to_cauer().unwrap();
        // The polynomial route loses digits with n; 1e-7 is what it holds at n = 4.
        for (a, b) in c.r_k_per_w().iter().zip(&rs) {
            assert!(rel(*a, *b) < 1e-7, "R: {a} vs {b}");
        }
        for (a, b) in c.c_j_per_k().iter().zip(&cs) {
            assert!(rel(*a, *b) < 1e-7, "C: {a} vs {b}");
        }
    }
}

#[test]
fn pairs_in_any_order_give_the_same_ladder() {
    let a = Foster::from_r_tau(&R_DATASHEET, &TAU_DATASHEET)
        .unwrap()
        .to_cauer()
        .unwrap();
    let b = Foster::from_r_tau(&[0.05, 0.15, 0.02, 0.08], &[0.1, 1e-2, 1e-4, 1e-3])
        .unwrap()
        .to_cauer()
        .unwrap();
    for (x, y) in a.r_k_per_w().iter().zip(b.r_k_per_w()) {
        assert!(rel(*x, *y) < 1e-12);
    }
}

#[test]
fn equal_time_constants_merge_into_one_stage() {
    let f = Foster::from_r_tau(&[0.1, 0.2, 0.05], &[1e-3, 1e-2, 1e-3]).unwrap();
    let conv = f.to_cauer_checked().unwrap();
    assert_eq!(conv.pairs_removed, 1);
    assert_eq!(conv.network.stages(), 2);
    for t in log_times() {
        assert!(rel(conv.network.zth(t), f.zth(t)) < 1e-10);
    }
}

#[test]
fn larger_networks_convert_within_tolerance() {
    // Time constants spread over up to eight decades, up to 32 pairs: far beyond
    // what polynomial continued fractions survive.
    for n in [6usize, 8, 12, 16, 32, 64] {
        let decades = 8.0_f64.min(n as f64);
        let tau: Vec<f64> = (0..n)
            .map(|i| 1e-6 * 10f64.powf(decades * i as f64 / (n - 1) as f64))
            .collect();
        let r: Vec<f64> = (0..n).map(|i| 0.01 + 0.02 * ((i * 7) % 5) as f64).collect();
        let f = Foster::from_r_tau(&r, &tau).unwrap();
        let conv = f.to_cauer_checked().unwrap();
        assert_eq!(conv.network.stages(), n);
        assert!(
            conv.max_relative_error < 1e-9,
            "n = {n}: {:e}",
            conv.max_relative_error
        );
        let back = conv.network.to_foster().unwrap();
        assert_eq!(back.pairs(), n);
        for (a, b) in back.tau_s().iter().zip(&tau) {
            assert!(rel(*a, *b) < 1e-8, "n = {n}: τ {a} vs {b}");
        }
    }
}

#[test]
fn cauer_to_foster_of_a_given_ladder() {
    // A ladder as a layer model would give it: die, solder, substrate, baseplate.
    let c = Cauer::new(&[0.01, 0.03, 0.08, 0.05], &[0.02, 0.1, 0.8, 6.0]).unwrap();
    let conv = c.to_foster_checked().unwrap();
    assert!(conv.max_relative_error < 1e-12);
    let f = conv.network;
    assert!(f.tau_s().windows(2).all(|w| w[0] < w[1]));
    assert!(rel(f.r_total_k_per_w(), 0.17) < 1e-13);
    for t in log_times() {
        assert!(rel(f.zth(t), c.zth(t)) < 1e-10);
    }
    // And back.
    let again = f.to_cauer().unwrap();
    for (a, b) in again.r_k_per_w().iter().zip(c.r_k_per_w()) {
        assert!(rel(*a, *b) < 1e-10);
    }
    for (a, b) in again.c_j_per_k().iter().zip(c.c_j_per_k()) {
        assert!(rel(*a, *b) < 1e-10);
    }
}

#[test]
fn extreme_spreads_convert_or_fail_clearly() {
    let spread = |n: usize, decades: f64| -> Foster {
        let tau: Vec<f64> = (0..n)
            .map(|i| 1e-8 * 10f64.powf(decades * i as f64 / (n - 1) as f64))
            .collect();
        let r: Vec<f64> = (0..n).map(|i| 0.01 + 0.02 * ((i * 7) % 5) as f64).collect();
        Foster::from_r_tau(&r, &tau).expect("valid network")
    };
    // Fourteen decades still convert to near rounding.
    let conv = spread(16, 14.0).to_cauer_checked().unwrap();
    assert!(
        conv.max_relative_error < 1e-12,
        "{:e}",
        conv.max_relative_error
    );
    // Sixteen do not, and the check says so instead of returning a wrong ladder.
    let err = spread(20, 16.0).to_cauer().unwrap_err();
    assert!(matches!(err, ThermalError::Numerical { .. }));
    assert!(
        err.to_string().contains("differs from the Foster network"),
        "{err}"
    );
}

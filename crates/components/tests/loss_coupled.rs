//! Electro-thermal coupling against the closed-form fixed point of a resistive
//! device on a single RC thermal network.

use pelab_components::loss::{
    CoupledPosition, JunctionThermal, LinearSwitch, SwitchTrace, coupled_losses,
};

/// One RC pair from junction to ambient, advanced exactly for constant power.
struct SingleRc {
    r: f64,
    tau: f64,
    ambient: f64,
    tj: Vec<f64>,
}

impl JunctionThermal for SingleRc {
    fn junction_c(&self) -> &[f64] {
        &self.tj
    }

    fn advance(&mut self, dt_s: f64, power_w: &[f64]) {
        let target = self.ambient + self.r * power_w[0];
        let decay = (-dt_s / self.tau).exp();
        self.tj[0] = target + (self.tj[0] - target) * decay;
    }
}

fn mosfet(alpha: f64) -> LinearSwitch {
    LinearSwitch {
        name: "resistive".into(),
        v0_v: 0.0,
        r_ohm: 0.02,
        r_tempco_per_k: alpha,
        v0_tempco_v_per_k: 0.0,
        diode_v0_v: 3.0,
        diode_r_ohm: 0.02,
        reverse_channel: true,
        e_on_j: 0.0,
        e_off_j: 0.0,
        e_rr_j: 0.0,
        i_ref_a: 1.0,
        v_ref_v: 1.0,
        e_tempco_per_k: 0.0,
        c_oss_f: 0.0,
        tj_ref_c: 25.0,
        foster_r_k_per_w: Vec::new(),
        foster_tau_s: Vec::new(),
    }
}

/// A DC current of 50 A for 5 s with the gate on: `P(T) = I² R₀ (1 + α (T − 25))`.
/// On `R_th` to ambient `T_a` the junction settles where `T = T_a + R_th P(T)`:
/// `T* = (T_a + R_th I² R₀ (1 − 25 α)) / (1 − R_th I² R₀ α)`.
#[test]
fn coupled_tj_reaches_fixed_point() {
    let (i, r0, alpha, r_th, ambient) = (50.0, 0.02, 0.006, 1.5, 40.0);
    let part = mosfet(alpha);
    let n = 5001;
    let t: Vec<f64> = (0..n).map(|k| k as f64 * 1e-3).collect();
    let current = vec![i; n];
    let voltage = vec![0.0; n];
    let gate = vec![1.0; n];
    let trace = SwitchTrace {
        t: &t,
        current: &current,
        voltage: &voltage,
        gate: &gate,
    };
    let positions = [CoupledPosition {
        name: "S1",
        model: &part,
        trace,
    }];
    let mut thermal = SingleRc {
        r: r_th,
        tau: 0.1,
        ambient,
        tj: vec![ambient],
    };

    let result = coupled_losses(&positions, &mut thermal, 1e-3, Some((4.5, 5.0))).unwrap();

    let p_ref = i * i * r0;
    let fixed_point =
        (ambient + r_th * p_ref * (1.0 - 25.0 * alpha)) / (1.0 - r_th * p_ref * alpha);
    let final_tj = *result.tj_c[0].last().unwrap();
    // The coupling stretches the time constant to τ / (1 − R_th I² R₀ α) = 0.18 s, so
    // 5 s leave e^−27 of the 150 K transient. The one-interval lag of 1 ms changes the
    // path, not the fixed point.
    assert!(
        (final_tj - fixed_point).abs() < 1e-6,
        "Tj {final_tj} °C, fixed point {fixed_point} °C"
    );
    let expected_power = p_ref * (1.0 + alpha * (fixed_point - 25.0));
    let loss = &result.losses[0];
    assert!((loss.conduction_forward_w - expected_power).abs() < 1e-6 * expected_power);
    assert_eq!(result.time_s.len(), 5000);
    // The trajectory rises monotonically from the ambient.
    assert!(result.tj_c[0].windows(2).all(|w| w[1] >= w[0] - 1e-12));
}

/// With no temperature dependence the coupled losses equal the fixed-Tj losses.
#[test]
fn coupled_equals_fixed_without_tempco() {
    let part = mosfet(0.0);
    let t = [0.0, 1.0, 2.0];
    let current = [10.0, 20.0, 10.0];
    let zero = [0.0; 3];
    let gate = [1.0; 3];
    let trace = SwitchTrace {
        t: &t,
        current: &current,
        voltage: &zero,
        gate: &gate,
    };
    let positions = [CoupledPosition {
        name: "S1",
        model: &part,
        trace,
    }];
    let mut thermal = SingleRc {
        r: 1.0,
        tau: 1.0,
        ambient: 25.0,
        tj: vec![25.0],
    };
    let result = coupled_losses(&positions, &mut thermal, 0.1, None).unwrap();
    // ∫ R i² dt over two linear ramps 10 → 20 → 10 A: 2 · R (10² + 10·20 + 20²)/3.
    let expected = 2.0 * 0.02 * (100.0 + 200.0 + 400.0) / 3.0 / 2.0;
    assert!((result.losses[0].conduction_forward_w - expected).abs() < 1e-12);
}

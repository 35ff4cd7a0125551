use super::fha::Fha;
use super::plant::Tank;
use super::sweep::steady_state;

fn tank() -> Tank {
    Tank {
        v_in: 400.0,
        lr: 20e-6,
        cr: 126.65e-9,
        lm: 100e-6,
        n: 4.1,
        c_sw: 400e-12,
        v_f: 0.0,
        r_d: 0.0,
        co: 470e-6,
        r_c: 10e-3,
    }
}

#[test]
fn probe_gain_curve() {
    let t = tank();
    let r = 2.304;
    let fha = Fha::new(&t, r);
    for f in [60e3, 70e3, 80e3, 90e3, 100e3, 110e3, 130e3, 160e3, 200e3] {
        let start = std::time::Instant::now();
        let p = steady_state(&t, 200e-9, f, r).expect("steady state");
        println!(
            "f {f:>8.0} M_sim {:.5} M_fha {:.5} zvs {} margin {:.2} periods {} conv {} steps {} {:?}",
            p.gain,
            fha.gain(f),
            p.zvs,
            p.margin,
            p.periods,
            p.converged,
            p.steps,
            start.elapsed()
        );
    }
}

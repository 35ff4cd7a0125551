//! Report inputs shared by the tests and the `sample_report` example: a realistic boost
//! converter run and a stress input full of edge cases.

use pelab_report::{JunctionRow, LossRow, Metric, Plot, ReportInput, Series};

/// Time axis of `cycles` switching periods at `frequency` Hz with `per_cycle` points each.
fn time_axis(frequency: f64, cycles: usize, per_cycle: usize) -> Vec<f64> {
    let count = cycles * per_cycle + 1;
    (0..count)
        .map(|i| i as f64 / (frequency * per_cycle as f64))
        .collect()
}

/// Inductor current of a boost converter in continuous conduction: a triangle around
/// `average` with peak-to-peak `ripple`, rising for the fraction `duty` of each period.
fn triangle(time: &[f64], frequency: f64, duty: f64, average: f64, ripple: f64) -> Vec<f64> {
    time.iter()
        .map(|t| {
            let phase = (t * frequency).fract();
            let rising = if phase < duty {
                phase / duty
            } else {
                1.0 - (phase - duty) / (1.0 - duty)
            };
            average - ripple / 2.0 + ripple * rising
        })
        .collect()
}

/// Builds the report input of a 48 V to 200 V, 2 kW boost converter run at 100 kHz.
pub fn boost_run() -> ReportInput {
    let frequency = 100e3;
    let duty = 1.0 - 48.0 / 200.0;
    let time = time_axis(frequency, 5, 80);
    let inductor = triangle(&time, frequency, duty, 42.75, 6.08);
    // The output capacitor discharges while the switch conducts and recharges after.
    let output: Vec<f64> = triangle(&time, frequency, duty, 200.0, 0.38)
        .iter()
        .map(|v| 400.0 - v)
        .collect();
    let switch_node: Vec<f64> = time
        .iter()
        .map(|t| {
            if (t * frequency).fract() < duty {
                0.4
            } else {
                200.8
            }
        })
        .collect();
    ReportInput {
        title: "Boost 48 V to 200 V, 2 kW, SiC".to_owned(),
        run_id: "0193a1f2-7c4e-7d2a-9b1e-5f3c2a8d4e61".to_owned(),
        project: "Traction auxiliary supply".to_owned(),
        kernel: "boost".to_owned(),
        status: "done".to_owned(),
        created_at: "2026-12-05T06:12:31Z".to_owned(),
        finished_at: Some("2026-12-05T06:12:44Z".to_owned()),
        metrics: vec![
            metric("Efficiency", 97.46, "%"),
            metric("Input power", 2051.9, "W"),
            metric("Output power", 1999.8, "W"),
            metric("Output voltage (average)", 200.02, "V"),
            metric("Output voltage ripple (peak-to-peak)", 0.38, "V"),
            metric("Inductor current ripple (peak-to-peak)", 6.08, "A"),
            metric("Gate driver supply current", 0.0045, "A"),
            metric("Switching frequency", 100e3, "Hz"),
            metric("Settling time", 0.000_734, "s"),
        ],
        losses: vec![
            loss("Q1 (SiC MOSFET)", 11.8, 14.2, 0.6),
            loss("D1 (SiC Schottky)", 9.4, 0.8, 0.0),
            loss("L1 (inductor)", 6.1, 0.0, 4.3),
            loss("C_out (ESR)", 0.4, 0.0, 0.0),
            loss("PCB and wiring", 4.5, 0.0, 0.0),
        ],
        junctions: vec![
            JunctionRow {
                device: "Q1 (SiC MOSFET)".to_owned(),
                tj_c: 118.4,
                tj_max_c: Some(175.0),
            },
            JunctionRow {
                device: "D1 (SiC Schottky)".to_owned(),
                tj_c: 96.2,
                tj_max_c: Some(175.0),
            },
            JunctionRow {
                device: "Gate driver U3".to_owned(),
                tj_c: 131.0,
                tj_max_c: Some(125.0),
            },
            JunctionRow {
                device: "Shunt R4".to_owned(),
                tj_c: 72.5,
                tj_max_c: None,
            },
        ],
        plots: vec![
            Plot {
                title: "Inductor current".to_owned(),
                x_label: "Time [s]".to_owned(),
                y_label: "Current [A]".to_owned(),
                series: vec![series("i_L", "A", &time, inductor)],
            },
            Plot {
                title: "Output and switch-node voltage".to_owned(),
                x_label: "Time [s]".to_owned(),
                y_label: "Voltage".to_owned(),
                series: vec![
                    series("v_out", "V", &time, output),
                    series("v_sw", "V", &time, switch_node),
                ],
            },
        ],
        warnings: vec![
            "Gate driver U3 junction temperature 131 \u{B0}C exceeds its 125 \u{B0}C rating."
                .to_owned(),
        ],
        parameters: vec![
            param("Input voltage", "48 V"),
            param("Output voltage", "200 V"),
            param("Output power", "2 kW"),
            param("Switching frequency", "100 kHz"),
            param("Inductance L1", "60 \u{B5}H"),
            param("Output capacitance", "2 \u{D7} 100 \u{B5}F"),
            param("R_DS(on) at 25 \u{B0}C", "25 m\u{3A9}"),
            param("Ambient temperature", "40 \u{B0}C"),
        ],
    }
}

/// Builds an input that exercises the edge cases: non-finite values, empty and constant
/// series, mismatched lengths, very long and non-Latin-1 strings, PDF delimiters, many rows.
pub fn stress_run() -> ReportInput {
    let long = "very long text that keeps going ".repeat(40);
    let mut run = boost_run();
    run.title = format!("Stress (report) \\ test: \u{4E2D}\u{6587} \u{3A9} {long}");
    run.status = "failed".to_owned();
    run.finished_at = None;
    run.project = long.clone();

    run.metrics.push(metric("Not a number", f64::NAN, "W"));
    run.metrics.push(metric("Infinite", f64::INFINITY, "V"));
    run.metrics.push(metric(&long, -1.0e-14, "F"));
    run.metrics.push(metric("Huge", 3.0e19, "W"));

    run.losses.push(loss("negative", -2.0, f64::NAN, 1.0));
    for index in 0..40 {
        run.losses
            .push(loss(&format!("Sw{index}"), 0.1 * index as f64, 0.05, 0.0));
    }

    for index in 0..60 {
        run.parameters
            .push(param(&format!("Parameter {index} ({long})"), "1 (unit)"));
    }
    run.junctions.push(JunctionRow {
        device: "nan".to_owned(),
        tj_c: f64::NAN,
        tj_max_c: Some(150.0),
    });

    let time: Vec<f64> = (0..200).map(|i| f64::from(i) * 1e-6).collect();
    let gappy: Vec<f64> = time
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i % 50 == 25 {
                f64::NAN
            } else {
                (t * 3e4).sin()
            }
        })
        .collect();

    run.plots.push(Plot {
        title: "Gaps, a constant and a mismatched series".to_owned(),
        x_label: "Time [s]".to_owned(),
        y_label: String::new(),
        series: vec![
            series("sine with NaN gaps", "V", &time, gappy),
            series("constant", "V", &time, vec![0.5; 200]),
            series("short y", "V", &time, vec![1.0; 10]),
            series("", "", &[], vec![]),
        ],
    });

    run.plots.push(Plot {
        title: "Only non-finite values".to_owned(),
        x_label: "x".to_owned(),
        y_label: "y".to_owned(),
        series: vec![series(
            "nothing",
            "A",
            &[f64::NAN, 1.0],
            vec![2.0, f64::INFINITY],
        )],
    });

    run.plots.push(Plot {
        title: "Constant zero".to_owned(),
        x_label: "Time [s]".to_owned(),
        y_label: "Temperature [\u{B0}C]".to_owned(),
        series: vec![series("zero", "\u{B0}C", &[0.0, 1.0], vec![0.0, 0.0])],
    });

    let many: Vec<Series> = (0..12)
        .map(|k| {
            let y = time
                .iter()
                .map(|t| (t * 1e4 + f64::from(k)).cos() * f64::from(k + 1))
                .collect();
            series(
                &format!("phase {k} with a long legend name {long}"),
                "A",
                &time,
                y,
            )
        })
        .collect();

    run.plots.push(Plot {
        title: long.clone(),
        x_label: long.clone(),
        y_label: long.clone(),
        series: many,
    });

    run.warnings.push(long.repeat(3));
    run.warnings.push(String::new());
    run
}

fn metric(name: &str, value: f64, unit: &str) -> Metric {
    Metric {
        name: name.to_owned(),
        value,
        unit: unit.to_owned(),
    }
}

fn loss(device: &str, conduction_w: f64, switching_w: f64, other_w: f64) -> LossRow {
    LossRow {
        device: device.to_owned(),
        conduction_w,
        switching_w,
        other_w,
    }
}

fn param(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

fn series(name: &str, unit: &str, x: &[f64], y: Vec<f64>) -> Series {
    Series {
        name: name.to_owned(),
        unit: unit.to_owned(),
        x: x.to_vec(),
        y,
    }
}

//! Effective core parameters against closed forms and manufacturers' data sheets.

use std::collections::BTreeMap;
use std::f64::consts::PI;

use pelab_components::magnetics::data::{core_shapes, find_core_shape, wire_materials};
use pelab_components::magnetics::shapes::PathSegment;
use pelab_components::magnetics::{CoreShape, Dimension, EffectiveParameters, MagneticsError};

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

/// Asserts `le`, `Ae`, `Ve` (reference values in mm, mm², mm³) within `tolerance`.
fn assert_effective(name: &str, le_mm: f64, ae_mm2: f64, ve_mm3: f64, tolerance: f64) {
    let p = match find_core_shape(name).and_then(|shape| shape.effective_parameters()) {
        Ok(p) => p,
        Err(error) => panic!("{name}: {error}"),
    };
    let le = relative_error(p.le_m * 1e3, le_mm);
    let ae = relative_error(p.ae_m2 * 1e6, ae_mm2);
    let ve = relative_error(p.ve_m3 * 1e9, ve_mm3);
    assert!(
        le < tolerance,
        "{name}: le {} mm vs {le_mm} mm",
        p.le_m * 1e3
    );
    assert!(
        ae < tolerance,
        "{name}: Ae {} mm² vs {ae_mm2} mm²",
        p.ae_m2 * 1e6
    );
    assert!(
        ve < tolerance,
        "{name}: Ve {} mm³ vs {ve_mm3} mm³",
        p.ve_m3 * 1e9
    );
}

#[test]
fn embedded_tables_parse() {
    assert_eq!(core_shapes().unwrap().len(), 890);
    let materials = wire_materials().unwrap();
    assert_eq!(materials.len(), 2);
    assert_eq!(materials[0].name, "copper");
}

#[test]
fn shape_lookup_by_alias_and_case() {
    assert_eq!(find_core_shape("etd 34").unwrap().name, "ETD 34/17/11");
    assert_eq!(find_core_shape("ETD34/17/11").unwrap().name, "ETD 34/17/11");
    assert_eq!(find_core_shape("R 25/15/10").unwrap().name, "T 25/15/10");
    assert!(matches!(
        find_core_shape("XYZ 1"),
        Err(MagneticsError::UnknownShape { .. })
    ));
}

#[test]
fn toroid_matches_closed_form() {
    // T 25/15/10: r1 = 7.5 mm, r2 = 12.5 mm, h = 10 mm.
    let p = find_core_shape("T 25/15/10")
        .unwrap()
        .effective_parameters()
        .unwrap();
    let (r1, r2, h): (f64, f64, f64) = (7.5e-3, 12.5e-3, 10e-3);
    let l = (r2 / r1).ln();
    let le = 2.0 * PI * l / (1.0 / r1 - 1.0 / r2);
    let ae = h * l * l / (1.0 / r1 - 1.0 / r2);
    // Same formula, different arrangement: only rounding differs.
    assert!(relative_error(p.le_m, le) < 1e-12);
    assert!(relative_error(p.ae_m2, ae) < 1e-12);
    assert!(relative_error(p.ve_m3, le * ae) < 1e-12);
    assert!(relative_error(p.amin_m2.unwrap(), h * (r2 - r1)) < 1e-12);
}

#[test]
fn toroid_c1_equals_shell_reluctance_sum() {
    // Independent check of C1: concentric shells of radius r, thickness dr and height h
    // are parallel paths of length 2πr, so 1/C1 = ∫ h dr / (2πr). Midpoint rule with
    // 100 000 shells: relative error about 1e-11.
    let shape = find_core_shape("T 36/23/15").unwrap();
    let p = shape.effective_parameters().unwrap();
    let (r1, r2, h) = (11.5e-3, 18e-3, 15e-3);
    let n = 100_000;
    let dr = (r2 - r1) / n as f64;
    let permeance_factor: f64 = (0..n)
        .map(|i| {
            let r = r1 + (i as f64 + 0.5) * dr;
            h * dr / (2.0 * PI * r)
        })
        .sum();
    assert!(relative_error(p.c1_per_m, 1.0 / permeance_factor) < 1e-9);
}

#[test]
fn thin_toroid_tends_to_mean_circumference() {
    // A ring with r2/r1 → 1 has le → π(r1 + r2) and Ae → h (r2 − r1); with
    // r2/r1 = 1.001 the differences are of order (Δr/r)² ≈ 1e-7.
    let mut dimensions = BTreeMap::new();
    for (letter, value) in [("A", 20.02e-3), ("B", 20.0e-3), ("C", 5e-3)] {
        dimensions.insert(
            letter.to_owned(),
            Dimension {
                nominal: Some(value),
                ..Dimension::default()
            },
        );
    }
    let ring = CoreShape {
        name: "thin ring".to_owned(),
        family: "t".to_owned(),
        family_subtype: None,
        shape_type: "custom".to_owned(),
        magnetic_circuit: "closed".to_owned(),
        aliases: Vec::new(),
        dimensions,
    };
    let p = ring.effective_parameters().unwrap();
    assert!(relative_error(p.le_m, PI * 20.01e-3) < 1e-6);
    assert!(relative_error(p.ae_m2, 5e-3 * 0.01e-3) < 1e-6);
}

// Manufacturer values. The IEC 60205 segment model and the makers' own tables differ
// in corner and rounding details and use nominal against drawn dimensions, so the
// field-wide agreement is 2-5 %; we allow 3 %.

#[test]
fn e42_21_15_matches_ferroxcube() {
    // Ferroxcube data sheet "E42/21/15, E cores and accessories", 2008 Sep 01:
    // Ve = 17300 mm³, le = 97.0 mm, Ae = 178 mm², Amin = 175 mm², C1 = 0.548 mm⁻¹.
    assert_effective("E 42/21/15", 97.0, 178.0, 17300.0, 0.03);
    let p = find_core_shape("E 42/21/15")
        .unwrap()
        .effective_parameters()
        .unwrap();
    assert!(relative_error(p.amin_m2.unwrap() * 1e6, 175.0) < 0.03);
    assert!(relative_error(p.c1_per_m * 1e-3, 0.548) < 0.03);
}

#[test]
fn etd29_16_10_matches_ferroxcube() {
    // Ferroxcube data sheet "ETD29/16/10, ETD cores and accessories", 2008 Sep 01:
    // Ve = 5470 mm³, le = 72.0 mm, Ae = 76.0 mm², Amin = 71.0 mm², C1 = 0.947 mm⁻¹.
    assert_effective("ETD 29/16/10", 72.0, 76.0, 5470.0, 0.03);
    let p = find_core_shape("ETD 29/16/10")
        .unwrap()
        .effective_parameters()
        .unwrap();
    assert!(relative_error(p.amin_m2.unwrap() * 1e6, 71.0) < 0.03);
    assert!(relative_error(p.c1_per_m * 1e-3, 0.947) < 0.03);
}

#[test]
fn recalled_catalogue_values_agree() {
    // NOTE: these reference values are recalled from the Ferroxcube "Soft Ferrites and
    // Accessories" handbook and were not reopened for this test. The two tests above
    // use data sheets that were opened.
    assert_effective("ETD 34/17/11", 78.6, 97.1, 7640.0, 0.03);
    assert_effective("ETD 49/25/16", 114.0, 211.0, 24000.0, 0.03);
    assert_effective("E 55/28/21", 124.0, 353.0, 43900.0, 0.03);
    assert_effective("U 93/76/30", 354.0, 840.0, 297_000.0, 0.03);
    assert_effective("T 25/15/10", 60.2, 48.9, 2940.0, 0.03);
    assert_effective("P 18/11", 25.8, 43.3, 1120.0, 0.03);
    assert_effective("P 26/16", 37.5, 93.9, 3530.0, 0.03);
    assert_effective("P 36/22", 53.2, 202.0, 10700.0, 0.03);
}

#[test]
fn pot_core_slots_reduce_area() {
    let with_slots = find_core_shape("P 26/16").unwrap().clone();
    let mut without_slots = with_slots.clone();
    without_slots.dimensions.remove("G");
    let slotted = with_slots.effective_parameters().unwrap();
    let plain = without_slots.effective_parameters().unwrap();
    assert!(plain.ae_m2 > slotted.ae_m2);
    assert!(plain.c1_per_m < slotted.c1_per_m);
}

#[test]
fn pot_core_reversed_hole_rejected() {
    // The table gives H of P 3.3/2.6 as minimum 0.5 mm, maximum 0.
    let error = find_core_shape("P 3.3/2.6")
        .unwrap()
        .effective_parameters()
        .unwrap_err();
    assert!(error.to_string().contains("dimension H"), "{error}");
}

#[test]
fn every_computed_family_gives_positive_values() {
    let mut computed = 0;
    for shape in core_shapes().unwrap() {
        match shape.effective_parameters() {
            Ok(p) => {
                computed += 1;
                assert!(p.le_m > 0.0, "{}", shape.name);
                assert!(p.ae_m2 > 0.0, "{}", shape.name);
                assert!(p.amin_m2.unwrap() <= p.ae_m2 * 1.2, "{}", shape.name);
            }
            Err(MagneticsError::UnsupportedFamily { family, .. }) => {
                assert!(!["t", "e", "etd", "er", "u", "p", "planarE"].contains(&family.as_str()));
            }
            Err(MagneticsError::InvalidDimension { name, reason }) => {
                // The table gives C of E 80/38/20 as minimum 21.4 mm and maximum
                // 20.2 mm, and H of P 3.3/2.6 and P 4.6/3.1 as minimum 0.5 mm and
                // maximum 0.
                let known = ["E 80/38/20", "P 3.3/2.6", "P 4.6/3.1"];
                assert!(known.contains(&name.as_str()), "{name}: {reason}");
            }
            Err(other) => panic!("{}: {other}", shape.name),
        }
    }
    // 434 toroids, 94 E, 10 planar E, 9 ETD, 23 ER, 35 U and 36 P shapes, less the
    // three with reversed tolerances.
    assert_eq!(computed, 638);
}

#[test]
fn unsupported_family_is_named() {
    let error = find_core_shape("PQ 32/30")
        .unwrap()
        .effective_parameters()
        .unwrap_err();
    assert_eq!(
        error,
        MagneticsError::UnsupportedFamily {
            name: "PQ 32/30".to_owned(),
            family: "pq".to_owned(),
        }
    );
    assert!(error.to_string().contains("ae_m2"));
}

#[test]
fn reversed_tolerance_is_rejected() {
    let mut shape = find_core_shape("E 42/21/15").unwrap().clone();
    shape.dimensions.insert(
        "D".to_owned(),
        Dimension {
            minimum: Some(0.015),
            maximum: Some(0.0),
            nominal: None,
        },
    );
    let message = shape.effective_parameters().unwrap_err().to_string();
    assert!(message.contains("dimension D"), "{message}");
}

#[test]
fn segments_of_uniform_core() {
    let segments = [
        PathSegment {
            length_m: 0.03,
            area_m2: 1e-4,
        },
        PathSegment {
            length_m: 0.07,
            area_m2: 1e-4,
        },
    ];
    let p = EffectiveParameters::from_segments(&segments).unwrap();
    assert!(relative_error(p.le_m, 0.1) < 1e-12);
    assert!(relative_error(p.ae_m2, 1e-4) < 1e-12);
    let bad = [PathSegment {
        length_m: 0.03,
        area_m2: -1.0,
    }];
    let message = EffectiveParameters::from_segments(&bad)
        .unwrap_err()
        .to_string();
    assert!(message.contains("segments[0].area_m2"), "{message}");
}

use super::*;

fn points(time: &[f64], values: &[f64], window: Window) -> Vec<(f64, f64)> {
    let span = Span::resolve(time, window).unwrap();
    span.points(time, values).collect()
}

#[test]
fn points_interpolate_window_edges() {
    let time = [0.0, 1.0, 2.0, 3.0];
    let values = [0.0, 10.0, 20.0, 30.0];
    let inside = points(&time, &values, Window::range(0.25, 2.5));
    assert_eq!(
        inside,
        vec![(0.25, 2.5), (1.0, 10.0), (2.0, 20.0), (2.5, 25.0)]
    );
    let on_samples = points(&time, &values, Window::range(1.0, 2.0));
    assert_eq!(on_samples, vec![(1.0, 10.0), (2.0, 20.0)]);
}

#[test]
fn points_take_inner_limits_at_jumps() {
    // A jump from 0 to 1 at t = 1 and back to 0 at t = 2.
    let time = [0.0, 1.0, 1.0, 2.0, 2.0, 3.0];
    let values = [0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
    let pulse = points(&time, &values, Window::range(1.0, 2.0));
    assert_eq!(pulse, vec![(1.0, 1.0), (2.0, 1.0)]);
    let before = points(&time, &values, Window::range(0.0, 1.0));
    assert_eq!(before, vec![(0.0, 0.0), (1.0, 0.0)]);
}

#[test]
fn resolve_clamps_rounding_only() {
    let time = [0.0, 1.0];
    let tiny = Span::resolve(&time, Window::range(-1e-12, 1.0 + 1e-12)).unwrap();
    assert_eq!((tiny.start, tiny.end), (0.0, 1.0));
    let outside = Span::resolve(&time, Window::range(-1e-6, 1.0));
    assert!(matches!(
        outside,
        Err(MetricError::OutsideData {
            field: "window.start",
            ..
        })
    ));
}

#[test]
fn resolve_rejects_flat_time() {
    let time = [2.0, 2.0, 2.0];
    let error = Span::resolve(&time, Window::All).unwrap_err();
    assert!(matches!(error, MetricError::InvalidWindow { .. }));
}

#[test]
fn value_at_uses_left_limit() {
    let time = [0.0, 1.0, 1.0, 2.0];
    let values = [0.0, 5.0, 9.0, 9.0];
    assert_eq!(value_at(&time, &values, 1.0), 5.0);
    assert_eq!(value_at(&time, &values, 0.5), 2.5);
    assert_eq!(value_at(&time, &values, 2.0), 9.0);
}

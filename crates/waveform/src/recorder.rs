//! [`Recorder`]: the append-only sink that the simulator pushes samples into.

use std::sync::Arc;

use crate::signal::SignalInfo;
use crate::waveforms::{RecordError, Waveforms, validate_signals};

/// Append-only columnar recorder: one time column plus one column per signal.
///
/// The simulator calls [`Recorder::push`] once per output step. After
/// [`Recorder::reserve`] has made room, `push` does not allocate. An optional
/// sample budget ([`Recorder::set_max_samples`]) turns a run that records far
/// more than planned into an error instead of exhausting memory.
///
/// ```
/// use pelab_waveform::{Recorder, SignalInfo, SignalKind};
///
/// let mut recorder = Recorder::new(vec![
///     SignalInfo::new("i_L", "A", SignalKind::State),
///     SignalInfo::new("v_C", "V", SignalKind::State),
/// ])?;
/// recorder.set_max_samples(Some(1_000));
/// recorder.reserve(1_000)?;
/// recorder.push(0.0, &[0.0, 0.0])?;
/// recorder.push(1e-6, &[0.1, 0.02])?;
/// assert_eq!(recorder.signal("v_C"), Some(&[0.0, 0.02][..]));
/// # Ok::<(), pelab_waveform::RecordError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Recorder {
    data: Waveforms,
    max_samples: Option<usize>,
    tap: Option<SampleTap>,
}

/// A consumer of samples as they are recorded, for live streaming.
pub trait SampleConsumer: Send + Sync {
    /// Called once with the recorder's signals when the tap is attached.
    fn begin(&self, signals: &[SignalInfo]);
    /// Called after each recorded sample; `false` stops the recording (the
    /// [`Recorder::push`] fails with [`RecordError::Stopped`]), which is how a running
    /// simulation is cancelled.
    fn sample(&self, t: f64, values: &[f64]) -> bool;
}

/// A shared [`SampleConsumer`] attached to a [`Recorder`].
#[derive(Clone)]
pub struct SampleTap(Arc<dyn SampleConsumer>);

impl SampleTap {
    /// Wraps a consumer.
    pub fn new(consumer: Arc<dyn SampleConsumer>) -> Self {
        SampleTap(consumer)
    }

    /// Passes one sample; `false` means stop.
    pub fn call(&self, t: f64, values: &[f64]) -> bool {
        self.0.sample(t, values)
    }
}

impl std::fmt::Debug for SampleTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SampleTap")
    }
}

impl PartialEq for SampleTap {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Recorder {
    /// Creates an empty recorder for `signals`, with no sample budget.
    ///
    /// Returns an error if a name or unit is invalid (see
    /// [`SignalInfo::validate`]) or if two signals share a name.
    pub fn new(signals: Vec<SignalInfo>) -> Result<Self, RecordError> {
        validate_signals(&signals)?;
        let columns = vec![Vec::new(); signals.len()];
        Ok(Recorder {
            data: Waveforms {
                signals,
                columns,
                ..Waveforms::default()
            },
            max_samples: None,
            tap: None,
        })
    }

    /// Sends every further sample to `tap` as well (see [`SampleTap`]).
    pub fn set_tap(&mut self, tap: Option<SampleTap>) {
        if let Some(tap) = &tap {
            tap.0.begin(&self.data.signals);
        }
        self.tap = tap;
    }

    /// Sets the maximum number of samples that [`Recorder::push`] accepts.
    ///
    /// `None` removes the limit. Lowering the budget below the number of
    /// samples already stored keeps them but rejects further pushes.
    pub fn set_max_samples(&mut self, max_samples: Option<usize>) {
        self.max_samples = max_samples;
    }

    /// Returns the sample budget, or `None` when there is no limit.
    pub fn max_samples(&self) -> Option<usize> {
        self.max_samples
    }

    /// Reserves room for `additional` more samples in every column, so that
    /// the next `additional` pushes do not allocate.
    ///
    /// The request is capped at the remaining sample budget. Returns
    /// [`RecordError::ReserveFailed`] if the memory cannot be allocated.
    pub fn reserve(&mut self, additional: usize) -> Result<(), RecordError> {
        let additional = match self.max_samples {
            Some(max) => additional.min(max.saturating_sub(self.data.len())),
            None => additional,
        };
        let columns = self.data.columns.len() + 1;
        let failed = |_| RecordError::ReserveFailed {
            additional,
            columns,
        };
        self.data.time.try_reserve(additional).map_err(failed)?;
        for column in &mut self.data.columns {
            column.try_reserve(additional).map_err(failed)?;
        }
        Ok(())
    }

    /// Appends one sample: time `t` in s and one value per signal, in signal order.
    ///
    /// Returns an error, and stores nothing, if `t` is not finite, if `t` is
    /// less than the previous time, or if the sample budget is used up.
    /// Equal times are accepted and mark a discontinuity.
    ///
    /// # Panics
    ///
    /// In debug builds, panics if `values.len()` differs from the number of
    /// signals, because that is a bug in the caller. Release builds return
    /// [`RecordError::ValueCountMismatch`] instead.
    pub fn push(&mut self, t: f64, values: &[f64]) -> Result<(), RecordError> {
        debug_assert_eq!(
            values.len(),
            self.data.columns.len(),
            "Recorder::push got a wrong number of values"
        );
        if values.len() != self.data.columns.len() {
            return Err(RecordError::ValueCountMismatch {
                expected: self.data.columns.len(),
                actual: values.len(),
            });
        }
        let index = self.data.time.len();
        if !t.is_finite() {
            return Err(RecordError::NonFiniteTime { index, value: t });
        }
        if let Some(&previous) = self.data.time.last()
            && t < previous
        {
            return Err(RecordError::TimeDecreasing {
                index,
                previous,
                value: t,
            });
        }
        if let Some(max_samples) = self.max_samples
            && index >= max_samples
        {
            return Err(RecordError::SampleBudgetExceeded { max_samples });
        }
        self.data.time.push(t);
        for (column, &value) in self.data.columns.iter_mut().zip(values) {
            column.push(value);
        }
        if let Some(tap) = &self.tap
            && !tap.call(t, values)
        {
            return Err(RecordError::Stopped);
        }
        Ok(())
    }

    /// Sets a metadata entry, such as the solver name or step size, that the
    /// `.pwf` writer stores in its header.
    pub fn set_metadata(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.data.metadata.insert(key.into(), value.into());
    }

    /// Removes all samples but keeps the signals, metadata, budget and capacity.
    pub fn clear(&mut self) {
        self.data.time.clear();
        for column in &mut self.data.columns {
            column.clear();
        }
    }

    /// Returns the recorded data as a read-only [`Waveforms`].
    pub fn waveforms(&self) -> &Waveforms {
        &self.data
    }

    /// Consumes the recorder and returns the recorded data.
    pub fn into_waveforms(self) -> Waveforms {
        self.data
    }

    /// Returns the number of samples recorded.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Returns `true` when no sample is recorded.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Returns the signal descriptions in column order.
    pub fn signals(&self) -> &[SignalInfo] {
        self.data.signals()
    }

    /// Returns the position of the signal called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.data.index_of(name)
    }

    /// Returns the time column, in s.
    pub fn time(&self) -> &[f64] {
        self.data.time()
    }

    /// Returns the value column of signal `index`.
    pub fn column(&self, index: usize) -> Option<&[f64]> {
        self.data.column(index)
    }

    /// Returns the value column of the signal called `name`.
    pub fn signal(&self, name: &str) -> Option<&[f64]> {
        self.data.signal(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SignalKind;

    fn recorder() -> Recorder {
        Recorder::new(vec![
            SignalInfo::new("a", "V", SignalKind::State),
            SignalInfo::new("b", "A", SignalKind::Input),
        ])
        .unwrap()
    }

    #[test]
    fn push_stores_columns() {
        let mut rec = recorder();
        rec.push(0.0, &[1.0, 2.0]).unwrap();
        rec.push(0.5, &[3.0, 4.0]).unwrap();
        rec.push(0.5, &[5.0, 6.0]).unwrap();
        assert_eq!(rec.len(), 3);
        assert_eq!(rec.time(), &[0.0, 0.5, 0.5]);
        assert_eq!(rec.column(0), Some(&[1.0, 3.0, 5.0][..]));
        assert_eq!(rec.signal("b"), Some(&[2.0, 4.0, 6.0][..]));
        assert_eq!(rec.column(2), None);
    }

    #[test]
    fn push_rejects_bad_time() {
        let mut rec = recorder();
        rec.push(1.0, &[0.0, 0.0]).unwrap();
        let back = rec.push(0.5, &[0.0, 0.0]).unwrap_err();
        assert_eq!(
            back,
            RecordError::TimeDecreasing {
                index: 1,
                previous: 1.0,
                value: 0.5
            }
        );
        assert!(matches!(
            rec.push(f64::INFINITY, &[0.0, 0.0]),
            Err(RecordError::NonFiniteTime { index: 1, .. })
        ));
        assert_eq!(rec.len(), 1);
    }

    #[test]
    fn push_accepts_non_finite_values() {
        let mut rec = recorder();
        rec.push(0.0, &[f64::NAN, f64::INFINITY]).unwrap();
        assert!(rec.column(0).unwrap()[0].is_nan());
    }

    #[test]
    fn budget_rejects_extra_samples() {
        let mut rec = recorder();
        rec.set_max_samples(Some(2));
        rec.push(0.0, &[0.0, 0.0]).unwrap();
        rec.push(1.0, &[0.0, 0.0]).unwrap();
        let error = rec.push(2.0, &[0.0, 0.0]).unwrap_err();
        assert_eq!(error, RecordError::SampleBudgetExceeded { max_samples: 2 });
        assert!(error.to_string().contains("2 samples"));
        assert_eq!(rec.len(), 2);
        rec.set_max_samples(None);
        rec.push(2.0, &[0.0, 0.0]).unwrap();
    }

    #[test]
    fn reserve_avoids_reallocation() {
        let mut rec = recorder();
        rec.reserve(100).unwrap();
        let time_ptr = rec.time().as_ptr();
        let column_ptr = rec.column(1).unwrap().as_ptr();
        for k in 0..100 {
            rec.push(k as f64, &[1.0, 2.0]).unwrap();
        }
        assert_eq!(rec.time().as_ptr(), time_ptr);
        assert_eq!(rec.column(1).unwrap().as_ptr(), column_ptr);
    }

    #[test]
    fn reserve_caps_at_budget() {
        let mut rec = recorder();
        rec.set_max_samples(Some(10));
        rec.reserve(usize::MAX).unwrap();
        assert!(rec.data.time.capacity() >= 10);
    }

    #[test]
    fn reserve_reports_impossible_request() {
        let mut rec = recorder();
        let error = rec.reserve(usize::MAX).unwrap_err();
        assert!(matches!(
            error,
            RecordError::ReserveFailed { columns: 3, .. }
        ));
    }

    #[test]
    fn new_rejects_duplicate_names() {
        let result = Recorder::new(vec![
            SignalInfo::new("a", "V", SignalKind::State),
            SignalInfo::new("a", "A", SignalKind::State),
        ]);
        assert!(matches!(result, Err(RecordError::DuplicateSignal { .. })));
    }

    #[test]
    fn clear_keeps_signals() {
        let mut rec = recorder();
        rec.push(0.0, &[1.0, 2.0]).unwrap();
        rec.set_metadata("solver", "rk4");
        rec.clear();
        assert!(rec.is_empty());
        assert_eq!(rec.signals().len(), 2);
        assert_eq!(rec.waveforms().metadata()["solver"], "rk4");
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "wrong number of values")]
    fn push_wrong_length_panics_in_debug() {
        let mut rec = recorder();
        let _ = rec.push(0.0, &[1.0]);
    }

    #[cfg(not(debug_assertions))]
    #[test]
    fn push_wrong_length_errors_in_release() {
        let mut rec = recorder();
        let error = rec.push(0.0, &[1.0]).unwrap_err();
        assert_eq!(
            error,
            RecordError::ValueCountMismatch {
                expected: 2,
                actual: 1
            }
        );
    }
}

//! Throughput of the recorder push path, the CSV writer and min/max decimation.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pelab_waveform::{Recorder, SignalInfo, SignalKind, Waveforms, csv, decimate_min_max};

const SIGNALS: usize = 10;

fn signals(count: usize) -> Vec<SignalInfo> {
    (0..count)
        .map(|k| SignalInfo::new(format!("x{k}"), "V", SignalKind::State))
        .collect()
}

fn recording(samples: usize) -> Waveforms {
    let mut recorder = Recorder::new(signals(SIGNALS)).expect("valid signals");
    recorder
        .reserve(samples)
        .expect("memory for the bench recording");
    let mut values = [0.0; SIGNALS];
    for n in 0..samples {
        let t = n as f64 * 1e-7;
        for (k, value) in values.iter_mut().enumerate() {
            *value = (t * 1e4 * (k + 1) as f64).sin();
        }
        recorder.push(t, &values).expect("increasing time");
    }
    recorder.into_waveforms()
}

fn push_rate(c: &mut Criterion) {
    let samples = 1_000_000;
    let mut group = c.benchmark_group("recorder");
    group.throughput(Throughput::Elements(samples as u64));
    group.bench_function("push 1M samples x 10 signals", |b| {
        let mut recorder = Recorder::new(signals(SIGNALS)).expect("valid signals");
        recorder
            .reserve(samples)
            .expect("memory for the bench recording");
        let values = [1.0; SIGNALS];
        b.iter(|| {
            recorder.clear();
            for n in 0..samples {
                recorder
                    .push(black_box(n as f64), black_box(&values))
                    .expect("increasing time");
            }
        });
    });
    group.finish();
}

fn csv_write_rate(c: &mut Criterion) {
    let samples = 100_000;
    let waves = recording(samples);
    let mut group = c.benchmark_group("csv");
    group.throughput(Throughput::Elements(samples as u64));
    group.bench_function("write 100k samples x 10 signals", |b| {
        b.iter(|| csv::write_csv(std::io::sink(), black_box(&waves)).expect("sink never fails"));
    });
    group.finish();
}

fn decimation(c: &mut Criterion) {
    let samples = 10_000_000;
    let time: Vec<f64> = (0..samples).map(|n| n as f64 * 1e-7).collect();
    let values: Vec<f64> = time.iter().map(|t| (t * 1e5).sin()).collect();
    let end = time[samples - 1];
    let mut group = c.benchmark_group("decimate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(samples as u64));
    group.bench_function("min/max 10M samples into 2000 buckets", |b| {
        b.iter(|| {
            decimate_min_max(black_box(&time), black_box(&values), 0.0, end, 2000)
                .expect("valid range")
        });
    });
    group.finish();
}

criterion_group!(benches, push_rate, csv_write_rate, decimation);
criterion_main!(benches);

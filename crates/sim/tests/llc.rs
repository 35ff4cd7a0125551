//! LLC kernel: design checks, closed-loop regulation, ZVS and the gain curve.

use pelab_sim::design::{Design, Format};
use pelab_sim::models::{ModelLimits, ModelOutput};

fn run(text: &str) -> ModelOutput {
    let design = Design::parse(text, Format::Toml).expect("design parses");
    let mut model = design.build_model().expect("design builds");
    model
        .run(&ModelLimits { max_samples: 10_000_000 }, &mut |_| {})
        .expect("run succeeds")
}

#[test]
fn example_runs() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/llc-400v-48v.toml")).expect("example");
    let start = std::time::Instant::now();
    let out = run(&text);
    println!("{:?}", start.elapsed());
    for m in &out.results.metrics {
        println!("{} = {} {}", m.name, m.value, m.unit);
    }
    for t in &out.results.tables {
        println!("{}", t.name);
        for r in &t.rows {
            println!("  {r:?}");
        }
    }
    println!("{:#?}", out.results.warnings);
}

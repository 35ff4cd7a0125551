//! `pelab components`: list, show and import datasheet part models.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use pelab_components::library::{Library, LibraryError, Source};
use pelab_components::semiconductor::{DeviceKind, Reading, TransistorSummary};

use crate::{EXIT_FAILURE, EXIT_INVALID_INPUT};

#[derive(Subcommand)]
pub enum ComponentsCommand {
    /// List the built-in parts and those in the user library ($PELAB_LIBRARY, else
    /// ~/.local/share/pelab/components).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Show only parts of this technology.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
    },
    /// Show a part's ratings, on-state and switching figures, gate charge, Coss,
    /// thermal data and import findings.
    Show {
        /// Part name, case-insensitive; the part number without the manufacturer
        /// prefix also matches (e.g. c3m0016120k).
        name: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Validate a LEA transistor JSON file and add it to the user library.
    Import {
        /// LEA transistor-database JSON file.
        file: PathBuf,
        /// Replace a part of the same name in the user library.
        #[arg(long)]
        force: bool,
    },
}

/// Technology filter for `list --kind`.
#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Silicon-carbide MOSFETs.
    Sic,
    /// Gallium-nitride HEMTs.
    Gan,
    /// IGBTs.
    Igbt,
    /// Silicon MOSFETs.
    Si,
}

impl From<KindArg> for DeviceKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Sic => DeviceKind::SicMosfet,
            KindArg::Gan => DeviceKind::GanHemt,
            KindArg::Igbt => DeviceKind::Igbt,
            KindArg::Si => DeviceKind::SiMosfet,
        }
    }
}

pub fn run(command: ComponentsCommand) -> ExitCode {
    let library = Library::from_env();
    match command {
        ComponentsCommand::List { json, kind } => list(&library, json, kind.map(Into::into)),
        ComponentsCommand::Show { name, json } => show(&library, &name, json),
        ComponentsCommand::Import { file, force } => import(&library, &file, force),
    }
}

fn exit_for(error: &LibraryError) -> ExitCode {
    eprintln!("error: {error}");
    match error {
        LibraryError::Io { .. } | LibraryError::NoLibraryDir => ExitCode::from(EXIT_FAILURE),
        _ => ExitCode::from(EXIT_INVALID_INPUT),
    }
}

#[derive(serde::Serialize)]
struct ListEntry {
    name: String,
    kind: Option<DeviceKind>,
    source: Source,
    v_abs_max_v: Option<f64>,
    i_cont_a: Option<f64>,
    findings: Option<usize>,
    error: Option<String>,
}

fn list(library: &Library, json: bool, kind: Option<DeviceKind>) -> ExitCode {
    let names = match library.names() {
        Ok(names) => names,
        Err(e) => return exit_for(&e),
    };
    let mut entries = Vec::new();
    for (name, source) in names {
        let entry = match library.load(&name) {
            Ok(part) => ListEntry {
                name,
                kind: Some(part.transistor.kind),
                source,
                v_abs_max_v: Some(part.transistor.ratings.v_abs_max_v),
                i_cont_a: part.transistor.ratings.i_cont_a,
                findings: Some(part.findings.len()),
                error: None,
            },
            Err(e) => ListEntry {
                name,
                kind: None,
                source,
                v_abs_max_v: None,
                i_cont_a: None,
                findings: None,
                error: Some(e.to_string()),
            },
        };
        if kind.is_none() || entry.kind == kind {
            entries.push(entry);
        }
    }
    if json {
        return print_json(&entries);
    }
    outln!(
        "{:<30} {:<5} {:>8} {:>8} {:>9}  source",
        "name",
        "kind",
        "V_max",
        "I_cont",
        "findings"
    );
    for e in &entries {
        let source = match &e.source {
            Source::BuiltIn { .. } => "built-in".to_owned(),
            Source::User { path } => path.display().to_string(),
        };
        match &e.error {
            Some(error) => outln!("{:<30} failed to load: {error}", e.name),
            None => outln!(
                "{:<30} {:<5} {:>7}V {:>7}A {:>9}  {source}",
                e.name,
                e.kind.map_or("?", DeviceKind::short_name),
                e.v_abs_max_v.map_or("—".to_owned(), |v| format!("{v}")),
                e.i_cont_a.map_or("—".to_owned(), |v| format!("{v}")),
                e.findings.unwrap_or(0),
            ),
        }
    }
    ExitCode::SUCCESS
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            outln!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: failed to write JSON: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn show(library: &Library, name: &str, json: bool) -> ExitCode {
    let part = match library.load(name) {
        Ok(part) => part,
        Err(e) => return exit_for(&e),
    };
    let summary = TransistorSummary::of(&part.transistor);
    if json {
        return print_json(&summary);
    }
    print_summary(&summary);
    ExitCode::SUCCESS
}

/// Formats a reading with its unit, marking values read outside the table.
fn reading(value: Option<Reading>, scale: f64, unit: &str) -> String {
    match value {
        None => "not available".to_owned(),
        Some(r) => {
            let flag = if r.clamped {
                " (outside the table, clamped)"
            } else {
                ""
            };
            format!("{:.4} {unit}{flag}", r.value * scale)
        }
    }
}

fn optional(value: Option<f64>, scale: f64, unit: &str) -> String {
    value.map_or("not available".to_owned(), |v| {
        format!("{:.4} {unit}", v * scale)
    })
}

/// Formats a datasheet value as given, without rounding.
fn plain(value: Option<f64>, unit: &str) -> String {
    value.map_or("not available".to_owned(), |v| format!("{v} {unit}"))
}

fn print_summary(s: &TransistorSummary) {
    outln!("{} ({})", s.name, s.kind.short_name());
    outln!(
        "  manufacturer:      {}",
        s.manufacturer.as_deref().unwrap_or("—")
    );
    outln!(
        "  datasheet:         {}",
        s.datasheet_url.as_deref().unwrap_or("—")
    );
    outln!("  V_max:             {} V", s.ratings.v_abs_max_v);
    outln!("  I_cont:            {}", plain(s.ratings.i_cont_a, "A"));
    outln!("  I_max (pulsed):    {}", plain(s.ratings.i_abs_max_a, "A"));
    outln!("  Tj_max:            {}", plain(s.ratings.t_j_max_c, "°C"));
    outln!("  gate voltage:      {}", plain(s.gate_on_v, "V"));
    let i = s.i_rated_a.map_or("—".to_owned(), |i| format!("{i} A"));
    let tj_max = s.ratings.t_j_max_c.unwrap_or(150.0);
    outln!("  on-state at {i}:");
    outln!("    V_on 25 °C:      {}", reading(s.v_on_25c_v, 1.0, "V"));
    outln!(
        "    V_on {tj_max} °C:     {}",
        reading(s.v_on_tj_max_v, 1.0, "V")
    );
    if s.kind.is_mosfet_like() {
        outln!(
            "    Rds_on 25 °C:    {}",
            reading(s.rds_on_25c_ohm, 1e3, "mΩ")
        );
        outln!(
            "    Rds_on {tj_max} °C:   {}",
            reading(s.rds_on_tj_max_ohm, 1e3, "mΩ")
        );
    }
    for (label, energy) in [("Eon", &s.e_on), ("Eoff", &s.e_off), ("Err", &s.e_rr)] {
        match energy {
            Some(e) => outln!(
                "  {label:<5} {:.4} mJ at {} A, {} V, {} °C, Rg {}{}",
                e.energy_j * 1e3,
                e.i_a,
                e.v_v,
                e.t_j_c,
                e.r_g_ohm.map_or("—".to_owned(), |r| format!("{r} Ω")),
                if e.clamped {
                    " (outside the table, clamped)"
                } else {
                    ""
                }
            ),
            None => outln!("  {label:<5} not available"),
        }
    }
    match &s.gate_charge {
        Some(g) => outln!(
            "  gate charge:       Qg {:.1} nC, Qgs {}, Qgd {}, plateau {} (curve at {})",
            g.q_g_c * 1e9,
            optional(g.q_gs_c, 1e9, "nC"),
            optional(g.q_gd_c, 1e9, "nC"),
            optional(g.plateau.map(|p| p.v_plateau_v), 1.0, "V"),
            plain(g.v_supply_v, "V"),
        ),
        None => outln!("  gate charge:       not available"),
    }
    match &s.coss {
        Some(c) => outln!(
            "  Coss at {} V:     {:.1} pF, Qoss {:.1} nC, Eoss {:.2} µJ{}",
            c.v_v,
            c.c_oss_f * 1e12,
            c.q_oss_c * 1e9,
            c.e_oss_j * 1e6,
            if c.clamped {
                " (outside the table, clamped)"
            } else {
                ""
            }
        ),
        None => outln!("  Coss:              not available"),
    }
    outln!(
        "  RthJC switch:      {}, {} Foster stages",
        plain(s.thermal.r_th_jc_k_per_w, "K/W"),
        s.thermal.foster_r_k_per_w.len()
    );
    if let Some(d) = &s.diode_thermal {
        outln!(
            "  RthJC diode:       {}, {} Foster stages",
            plain(d.r_th_jc_k_per_w, "K/W"),
            d.foster_r_k_per_w.len()
        );
    }
    outln!("  findings ({}):", s.findings.len());
    for finding in &s.findings {
        outln!("    {finding}");
    }
}

fn import(library: &Library, file: &std::path::Path, force: bool) -> ExitCode {
    match library.import(file, force) {
        Ok(imported) => {
            let verb = if imported.replaced {
                "replaced"
            } else {
                "imported"
            };
            outln!(
                "{verb} {} as {} with {} finding(s)",
                imported.part.transistor.name,
                imported.path.display(),
                imported.part.findings.len()
            );
            for finding in &imported.part.findings {
                outln!("  {finding}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => exit_for(&e),
    }
}

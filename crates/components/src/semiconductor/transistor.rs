//! Transistor model: MOSFETs (SiC, Si), GaN HEMTs and IGBTs from datasheet curves.

use serde::{Deserialize, Serialize};

use crate::curve::{CurveFamily, Lookup};
use crate::diagnostics::Finding;
use crate::loss::{Edge, SwitchModel};

use super::{
    DatasheetInfo, DeviceKind, Diode, EnergyTable, GateCharge, OutputCapacitance, Ratings,
    ScalingError, ThermalData, family_derivative, merge_flags,
};

/// Model that [`Transistor::reverse_voltage_at`] uses for the reverse (third-quadrant)
/// voltage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReversePath {
    /// A measured third-quadrant curve at the on-state gate voltage.
    MeasuredGateOn,
    /// The forward channel curve used for reverse current (the channel of a MOSFET
    /// conducts alike in both directions at small voltages), in parallel with the
    /// body diode when the data have it.
    ChannelWithDiode,
    /// The body or antiparallel diode alone (gate off, or an IGBT).
    Diode,
    /// GaN third quadrant from the threshold model `V = (V_th − V_gs,off) + V_ch(i)`.
    GanThreshold,
    /// No reverse path in the data.
    None,
}

/// A power transistor from datasheet curves.
///
/// Build it with the importer ([`crate::import::lea`]) or field by field. The
/// operating gate resistances start at the datasheet values; change them with
/// [`Transistor::with_gate_resistance`], which rejects the change when the data
/// cannot scale the energies.
#[derive(Debug, Clone, PartialEq)]
pub struct Transistor {
    /// Part name as in the library.
    pub name: String,
    /// Technology.
    pub kind: DeviceKind,
    /// Datasheet source.
    pub datasheet: DatasheetInfo,
    /// Absolute maximum ratings.
    pub ratings: Ratings,
    /// Gate voltage of the channel family (the on-state drive), V.
    pub gate_on_v: Option<f64>,
    /// Off-state gate voltage of the turn-off energy measurement, V.
    pub gate_off_v: Option<f64>,
    /// Internal gate resistance, Ω.
    pub r_g_int_ohm: Option<f64>,
    /// Gate threshold voltage, V. The LEA files do not carry it, so it is `None`
    /// after import until the user sets it from the datasheet.
    pub gate_threshold_v: Option<f64>,
    /// Forward on-state voltage (V) versus current (A), over Tj (°C), at
    /// [`Transistor::gate_on_v`]: `Vds` for MOSFETs and GaN HEMTs, `Vce` for IGBTs.
    pub channel: Option<CurveFamily>,
    /// Measured reverse voltage (V) versus reverse current (A) with the gate on, over Tj.
    pub reverse_channel: Option<CurveFamily>,
    /// Body diode (MOSFET), third-quadrant path at the off-state bias (GaN) or
    /// antiparallel diode (IGBT module).
    pub diode: Option<Diode>,
    /// Turn-on energy.
    pub e_on: Option<EnergyTable>,
    /// Turn-off energy.
    pub e_off: Option<EnergyTable>,
    /// Output capacitance.
    pub coss: Option<OutputCapacitance>,
    /// Gate-charge curves, one per measured supply voltage.
    pub gate_charge: Vec<GateCharge>,
    /// Junction-to-case thermal data of the transistor.
    pub thermal: ThermalData,
    /// Factor on the on-state voltage of a GaN HEMT for dynamic Rds_on (charge
    /// trapping after blocking a high voltage). Default 1: the datasheet curves are
    /// static measurements and the LEA files give no dynamic data. Set it from your
    /// own double-pulse measurements or the manufacturer's application data.
    pub dynamic_rds_on_factor: f64,
    /// Operating turn-on gate resistance, Ω (`None`: the datasheet value).
    r_g_on_ohm: Option<f64>,
    /// Operating turn-off gate resistance, Ω (`None`: the datasheet value).
    r_g_off_ohm: Option<f64>,
    /// Import findings for the transistor and its diode.
    pub findings: Vec<Finding>,
}

impl Transistor {
    /// Creates a model with only a name, kind and ratings: every curve is missing.
    pub fn new(name: &str, kind: DeviceKind, ratings: Ratings) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            datasheet: DatasheetInfo::default(),
            ratings,
            gate_on_v: None,
            gate_off_v: None,
            r_g_int_ohm: None,
            gate_threshold_v: None,
            channel: None,
            reverse_channel: None,
            diode: None,
            e_on: None,
            e_off: None,
            coss: None,
            gate_charge: Vec::new(),
            thermal: ThermalData::default(),
            dynamic_rds_on_factor: 1.0,
            r_g_on_ohm: None,
            r_g_off_ohm: None,
            findings: Vec::new(),
        }
    }

    /// Operating gate resistances `(on, off)` in Ω; `None` means the datasheet value.
    pub fn gate_resistance(&self) -> (Option<f64>, Option<f64>) {
        (self.r_g_on_ohm, self.r_g_off_ohm)
    }

    /// Returns the same transistor switched with external gate resistances `r_g_on_ohm` and
    /// `r_g_off_ohm`. The diode's recovery energy follows the turn-on resistance,
    /// because the switch's turn-on speed sets the diode's di/dt.
    ///
    /// # Errors
    /// [`ScalingError`] when a resistance is negative or not finite, or when an energy
    /// the part has cannot be scaled because the data lack its `E(Rg)` curve.
    pub fn with_gate_resistance(
        mut self,
        r_g_on_ohm: f64,
        r_g_off_ohm: f64,
    ) -> Result<Self, ScalingError> {
        if let Some(table) = &self.e_on {
            table.gate_resistance_ratio(r_g_on_ohm, 25.0)?;
        }
        if let Some(table) = &self.e_off {
            table.gate_resistance_ratio(r_g_off_ohm, 25.0)?;
        }
        if let Some(diode) = &mut self.diode {
            if let Some(table) = &diode.recovery {
                table.gate_resistance_ratio(r_g_on_ohm, 25.0)?;
            }
            diode.r_g_ohm = Some(r_g_on_ohm);
        }
        self.r_g_on_ohm = Some(r_g_on_ohm);
        self.r_g_off_ohm = Some(r_g_off_ohm);
        Ok(self)
    }

    /// Returns the same transistor with the voltage exponent `k` of `E ∝ V^k` set for Eon,
    /// Eoff and Err.
    ///
    /// # Errors
    /// [`ScalingError::InvalidValue`] unless `0 < k ≤ 3`.
    pub fn with_voltage_exponent(mut self, k: f64) -> Result<Self, ScalingError> {
        if !(k > 0.0 && k <= 3.0) {
            return Err(ScalingError::InvalidValue {
                name: "voltage exponent",
                value: k,
                expected: "0 < k ≤ 3",
            });
        }
        for table in [&mut self.e_on, &mut self.e_off].into_iter().flatten() {
            table.voltage_exponent = k;
        }
        if let Some(table) = self.diode.as_mut().and_then(|d| d.recovery.as_mut()) {
            table.voltage_exponent = k;
        }
        Ok(self)
    }

    /// Returns the same transistor with a dynamic Rds_on factor (see
    /// [`Transistor::dynamic_rds_on_factor`]).
    ///
    /// # Errors
    /// [`ScalingError::InvalidValue`] unless the factor is finite and `1 ≤ f ≤ 10`:
    /// trapping raises the resistance, and reported factors stay far below 10.
    pub fn with_dynamic_rds_on_factor(mut self, factor: f64) -> Result<Self, ScalingError> {
        if !(1.0..=10.0).contains(&factor) {
            return Err(ScalingError::InvalidValue {
                name: "dynamic_rds_on_factor",
                value: factor,
                expected: "1 ≤ factor ≤ 10",
            });
        }
        self.dynamic_rds_on_factor = factor;
        Ok(self)
    }

    /// Forward on-state voltage (V) at current `i` (A) and `tj` (°C), including the
    /// dynamic Rds_on factor for MOSFET-like parts.
    pub fn on_voltage(&self, i: f64, tj: f64) -> Option<Lookup> {
        let mut lookup = self.channel.as_ref()?.eval(i.abs(), tj);
        if self.kind.is_mosfet_like() {
            lookup.value *= self.dynamic_rds_on_factor;
        }
        Some(lookup)
    }

    /// On-state resistance `Rds_on = V / I` (Ω) at drain current `i` (A) and `tj` (°C).
    ///
    /// At `i = 0` the ratio is undefined, and the limit is the slope `dV/dI` of the
    /// channel curve at zero current (the curve passes through the origin). `None`
    /// for IGBTs, whose on-state voltage has a knee and no resistance, and without a
    /// channel curve.
    pub fn rds_on(&self, i: f64, tj: f64) -> Option<Lookup> {
        if !self.kind.is_mosfet_like() {
            return None;
        }
        let channel = self.channel.as_ref()?;
        let i = i.abs();
        if i > 0.0 {
            let mut lookup = self.on_voltage(i, tj)?;
            lookup.value /= i;
            return Some(lookup);
        }
        let mut lookup = channel.eval(0.0, tj);
        lookup.value = family_derivative(channel, 0.0, tj) * self.dynamic_rds_on_factor;
        Some(lookup)
    }

    /// Returns the path that [`Transistor::reverse_voltage_at`] uses.
    pub fn reverse_path(&self, gate_on: bool) -> ReversePath {
        let diode_curve = self.diode.as_ref().is_some_and(|d| d.forward.is_some());
        if self.kind == DeviceKind::Igbt || !gate_on {
            if diode_curve {
                return ReversePath::Diode;
            }
            let threshold_model = self.kind == DeviceKind::GanHemt
                && self.gate_threshold_v.is_some()
                && self.gate_off_v.is_some()
                && self.channel.is_some();
            return if threshold_model && self.kind != DeviceKind::Igbt {
                ReversePath::GanThreshold
            } else {
                ReversePath::None
            };
        }
        if self.reverse_channel.is_some() {
            ReversePath::MeasuredGateOn
        } else if self.channel.is_some() {
            ReversePath::ChannelWithDiode
        } else if diode_curve {
            ReversePath::Diode
        } else {
            ReversePath::None
        }
    }

    /// Computes the voltage (V, as a magnitude) across the part carrying reverse
    /// current `i` (A) at `tj` (°C). [`SwitchModel::reverse_voltage`] explains
    /// `gate_on`, and [`ReversePath`] lists the models.
    ///
    /// With the gate on and no measured reverse curve, the channel and the body diode
    /// share the current: the split `i = i_ch + i_d` solves
    /// `V_ch(i_ch) = V_d(i_d)` by bisection. Both voltages rise with their current,
    /// so the root is unique. When the channel alone stays below the diode's knee
    /// the diode carries nothing.
    ///
    /// The GaN threshold model follows the usual description of third-quadrant
    /// conduction in GaN HEMTs: the channel opens in reverse once the gate-drain
    /// voltage exceeds the threshold, so the source-drain voltage is
    /// `V_th − V_gs,off` plus the channel drop.
    pub fn reverse_voltage_at(&self, i: f64, tj: f64, gate_on: bool) -> Option<Lookup> {
        let i = i.abs();
        match self.reverse_path(gate_on) {
            ReversePath::MeasuredGateOn => Some(self.reverse_channel.as_ref()?.eval(i, tj)),
            ReversePath::Diode => self.diode.as_ref()?.forward_voltage_at(i, tj),
            ReversePath::ChannelWithDiode => {
                let channel = |current: f64| self.on_voltage(current, tj);
                let diode = self
                    .diode
                    .as_ref()
                    .and_then(|d| d.forward.as_ref())
                    .map(|f| move |current: f64| f.eval(current, tj));
                let all_channel = channel(i)?;
                let Some(diode) = diode else {
                    return Some(all_channel);
                };
                let knee = diode(0.0);
                if all_channel.value <= knee.value {
                    return Some(all_channel);
                }
                let (mut lo, mut hi) = (0.0, i);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if channel(mid)?.value < diode(i - mid).value {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let i_ch = 0.5 * (lo + hi);
                let v_ch = channel(i_ch)?;
                Some(merge_flags(v_ch, &diode(i - i_ch)))
            }
            ReversePath::GanThreshold => {
                let offset = self.gate_threshold_v? - self.gate_off_v?;
                let mut lookup = self.on_voltage(i, tj)?;
                lookup.value += offset;
                Some(lookup)
            }
            ReversePath::None => None,
        }
    }

    /// Switching energy (J) of `edge` at current `i` (A), blocking voltage `v` (V) and
    /// `tj` (°C), at the operating gate resistance. `Ok(None)` without the curve.
    ///
    /// # Errors
    /// [`ScalingError`] from [`EnergyTable::energy`].
    pub fn switching_energy_at(
        &self,
        edge: Edge,
        i: f64,
        v: f64,
        tj: f64,
    ) -> Result<Option<Lookup>, ScalingError> {
        let (table, r_g) = match edge {
            Edge::TurnOn => (&self.e_on, self.r_g_on_ohm),
            Edge::TurnOff => (&self.e_off, self.r_g_off_ohm),
        };
        table.as_ref().map(|t| t.energy(i, v, tj, r_g)).transpose()
    }

    /// Returns the gate-charge curve measured closest to `v_supply` (V), if any.
    pub fn gate_charge_near(&self, v_supply: f64) -> Option<&GateCharge> {
        self.gate_charge.iter().min_by(|a, b| {
            let da = (a.v_supply_v.unwrap_or(f64::INFINITY) - v_supply).abs();
            let db = (b.v_supply_v.unwrap_or(f64::INFINITY) - v_supply).abs();
            da.total_cmp(&db)
        })
    }
}

impl SwitchModel for Transistor {
    fn name(&self) -> &str {
        &self.name
    }

    fn forward_voltage(&self, i: f64, tj: f64) -> Option<Lookup> {
        self.on_voltage(i, tj)
    }

    fn reverse_voltage(&self, i: f64, tj: f64, gate_on: bool) -> Option<Lookup> {
        self.reverse_voltage_at(i, tj, gate_on)
    }

    /// `None` without the curve, and also when the operating point cannot be scaled
    /// (negative voltage); [`Transistor::switching_energy_at`] returns the reason.
    fn switching_energy(&self, edge: Edge, i: f64, v: f64, tj: f64) -> Option<Lookup> {
        self.switching_energy_at(edge, i, v, tj).ok().flatten()
    }

    fn recovery_energy(&self, i: f64, v: f64, tj: f64) -> Option<Lookup> {
        self.diode.as_ref()?.recovery_energy_at(i, v, tj)
    }

    fn coss_energy(&self, v: f64) -> Option<f64> {
        self.coss.as_ref().map(|c| c.energy(v).value)
    }

    fn thermal_foster(&self) -> Option<Vec<(f64, f64)>> {
        let pairs = self.thermal.foster_pairs();
        (!pairs.is_empty()).then_some(pairs)
    }

    fn ratings(&self) -> crate::loss::SwitchRatings {
        crate::loss::SwitchRatings {
            v_max_v: Some(self.ratings.v_abs_max_v).filter(|v| *v > 0.0),
            i_pulsed_max_a: self.ratings.i_abs_max_a,
            tj_max_c: self.ratings.t_j_max_c,
        }
    }

    fn thermal_resistance_jc(&self) -> Option<f64> {
        self.thermal
            .r_th_jc_k_per_w
            .or_else(|| Some(self.thermal.foster_r_k_per_w.iter().sum::<f64>()))
            .filter(|r| *r > 0.0)
    }
}

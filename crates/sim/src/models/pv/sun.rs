//! Sun position and plane-of-array (POA) irradiance.
//!
//! # Sun position
//!
//! The low-accuracy solar coordinates of Meeus (*Astronomical Algorithms*, 2nd ed.,
//! 1998, ch. 25), as the NOAA solar calculator uses them. With `T` the Julian
//! centuries from J2000.0 (the time scale difference TT − UT is ignored, below 0.001°
//! of solar longitude):
//!
//! ```text
//! L0 = 280.46646 + 36000.76983 T + 0.0003032 T²        geometric mean longitude [°]
//! M  = 357.52911 + 35999.05029 T − 0.0001537 T²        mean anomaly [°]
//! e  = 0.016708634 − 0.000042037 T − 0.0000001267 T²   orbit eccentricity
//! C  = (1.914602 − 0.004817 T − 0.000014 T²) sin M
//!      + (0.019993 − 0.000101 T) sin 2M + 0.000289 sin 3M
//! λ  = L0 + C − 0.00569 − 0.00478 sin Ω,  Ω = 125.04 − 1934.136 T   apparent longitude
//! ε  = ε0(T) + 0.00256 cos Ω                             obliquity
//! δ  = asin(sin ε sin λ)                                 declination
//! E  = 4 (y sin 2L0 − 2e sin M + 4ey sin M cos 2L0 − y²/2 sin 4L0 − 5/4 e² sin 2M),
//!      y = tan²(ε/2)                                     equation of time [min]
//! ```
//!
//! The hour angle is `H = (t_UT + E + 4 λ_site)/4 − 180°` with `t_UT` in minutes and
//! the site longitude `λ_site` in degrees east. Zenith and azimuth (from north,
//! clockwise) follow from `cos z = sin φ sin δ + cos φ cos δ cos H` and
//! `A = atan2(sin H, cos H sin φ − tan δ cos φ) + 180°`. The angles are geometric:
//! no refraction. Against the NREL SPA in pvlib 0.16.1, over every hour of every 7th
//! day of the embedded TMY3 year, the zenith and the azimuth (as an angle on the sky)
//! agree to 0.013° (`tests/pv_reference.rs` checks 0.02°).
//!
//! # Transposition
//!
//! ```text
//! cos θ    = cos z cos β + sin z sin β cos(A − A_m)          angle of incidence θ
//! E_beam   = DNI max(cos θ, 0)
//! E_ground = GHI ρ (1 − cos β)/2
//! isotropic:  E_sky = DHI (1 + cos β)/2
//! Hay–Davies: E_sky = DHI [A_i R_b + (1 − A_i)(1 + cos β)/2],
//!             A_i = DNI/E_a,  R_b = max(cos θ, 0)/max(cos z, 0.01745)
//! E_a = 1366.1 W/m² (1.00011 + 0.034221 cos B + 0.00128 sin B
//!       + 0.000719 cos 2B + 0.000077 sin 2B),  B = 2π (doy − 1)/365   (Spencer 1971)
//! ```
//!
//! with tilt `β`, surface azimuth `A_m` (from north, clockwise) and albedo `ρ`. Hay and
//! Davies (1980) split the diffuse sky into a circumsolar part, weighted by the
//! anisotropy index `A_i`, and an isotropic rest. The `0.01745` floor (cos 89°) and the
//! clipping follow pvlib so that both give the same numbers near the horizon.

use std::f64::consts::PI;

/// Solar constant of the extraterrestrial irradiance [W/m²], pvlib's default.
const SOLAR_CONSTANT_W_PER_M2: f64 = 1366.1;
/// Floor of `cos z` in the beam ratio `R_b` (cos 89°), as in pvlib.
const MIN_COS_ZENITH: f64 = 0.01745;
/// Julian day of J2000.0.
const J2000: f64 = 2_451_545.0;

fn sin_deg(x: f64) -> f64 {
    x.to_radians().sin()
}

fn cos_deg(x: f64) -> f64 {
    x.to_radians().cos()
}

/// Julian day of a Gregorian date at `hours_ut` hours UT (Meeus ch. 7).
pub fn julian_day(year: i32, month: u32, day: u32, hours_ut: f64) -> f64 {
    let (y, m) = if month <= 2 {
        (year - 1, month + 12)
    } else {
        (year, month)
    };
    let a = (f64::from(y) / 100.0).floor();
    let b = 2.0 - a + (a / 4.0).floor();
    (365.25 * (f64::from(y) + 4716.0)).floor()
        + (30.6001 * f64::from(m + 1)).floor()
        + f64::from(day)
        + b
        - 1524.5
        + hours_ut / 24.0
}

/// Day of the year, 1 to 366, of a Gregorian date (counting 29 February in leap years).
pub fn calendar_day_of_year(year: i32, month: u32, day: u32) -> u32 {
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let index = (month.clamp(1, 12) - 1) as usize;
    BEFORE[index] + day + u32::from(leap && month > 2)
}

/// Sun position seen from a site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SunPosition {
    /// Geometric zenith angle [°].
    pub zenith_deg: f64,
    /// Azimuth from north, clockwise [°], in [0, 360).
    pub azimuth_deg: f64,
}

/// Sun position at Julian day `jd` (UT) for latitude `latitude_deg` (north positive)
/// and longitude `longitude_deg` (east positive); see the module documentation.
pub fn sun_position(jd: f64, latitude_deg: f64, longitude_deg: f64) -> SunPosition {
    let t = (jd - J2000) / 36525.0;
    let l0 = (280.46646 + t * (36000.76983 + 0.0003032 * t)).rem_euclid(360.0);
    let m = 357.52911 + t * (35999.05029 - 0.0001537 * t);
    let e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);

    let c = sin_deg(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + sin_deg(2.0 * m) * (0.019993 - 0.000101 * t)
        + sin_deg(3.0 * m) * 0.000289;
    let omega = 125.04 - 1934.136 * t;
    let lambda = l0 + c - 0.00569 - 0.00478 * sin_deg(omega);

    let epsilon0 =
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
    let epsilon = epsilon0 + 0.00256 * cos_deg(omega);
    let declination = (sin_deg(epsilon) * sin_deg(lambda)).asin();

    let y = (epsilon.to_radians() / 2.0).tan().powi(2);
    let (l0r, mr) = (l0.to_radians(), m.to_radians());
    let equation_of_time_min = 4.0
        * (y * (2.0 * l0r).sin() - 2.0 * e * mr.sin() + 4.0 * e * y * mr.sin() * (2.0 * l0r).cos()
            - 0.5 * y * y * (4.0 * l0r).sin()
            - 1.25 * e * e * (2.0 * mr).sin())
        .to_degrees();

    let minutes_ut = (jd + 0.5 - (jd + 0.5).floor()) * 1440.0;
    let true_solar_min = minutes_ut + equation_of_time_min + 4.0 * longitude_deg;
    let hour_angle = (true_solar_min / 4.0 - 180.0).to_radians();

    let phi = latitude_deg.to_radians();
    let cos_zenith = (phi.sin() * declination.sin()
        + phi.cos() * declination.cos() * hour_angle.cos())
    .clamp(-1.0, 1.0);
    let azimuth = hour_angle
        .sin()
        .atan2(hour_angle.cos() * phi.sin() - declination.tan() * phi.cos())
        .to_degrees()
        + 180.0;
    SunPosition {
        zenith_deg: cos_zenith.acos().to_degrees(),
        azimuth_deg: azimuth.rem_euclid(360.0),
    }
}

/// Extraterrestrial normal irradiance on day-of-year `day_of_year` [W/m²] (Spencer).
pub fn extraterrestrial_irradiance(day_of_year: f64) -> f64 {
    let b = 2.0 * PI * (day_of_year - 1.0) / 365.0;
    SOLAR_CONSTANT_W_PER_M2
        * (1.00011
            + 0.034221 * b.cos()
            + 0.00128 * b.sin()
            + 0.000719 * (2.0 * b).cos()
            + 0.000077 * (2.0 * b).sin())
}

/// Diffuse sky model of the transposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkyModel {
    /// Uniform sky.
    Isotropic,
    /// Circumsolar plus isotropic parts (Hay and Davies 1980).
    HayDavies,
}

/// Orientation and surroundings of the modules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plane {
    /// Tilt from horizontal [°].
    pub tilt_deg: f64,
    /// Azimuth the modules face, from north clockwise [°] (180 = south).
    pub azimuth_deg: f64,
    /// Ground reflectance [1].
    pub albedo: f64,
    /// Diffuse sky model.
    pub sky: SkyModel,
}

/// Plane-of-array irradiance and its parts [W/m²].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoaIrradiance {
    /// Total.
    pub global: f64,
    /// Beam.
    pub beam: f64,
    /// Sky diffuse.
    pub sky_diffuse: f64,
    /// Ground reflected.
    pub ground_diffuse: f64,
}

impl Plane {
    /// Transposes GHI, DNI and DHI [W/m²] onto the plane for sun position `sun` on
    /// day-of-year `day_of_year`; see the module documentation.
    pub fn irradiance(
        &self,
        sun: SunPosition,
        ghi: f64,
        dni: f64,
        dhi: f64,
        day_of_year: f64,
    ) -> PoaIrradiance {
        let (cos_tilt, sin_tilt) = (cos_deg(self.tilt_deg), sin_deg(self.tilt_deg));
        let cos_zenith = cos_deg(sun.zenith_deg);
        let cos_incidence = cos_zenith * cos_tilt
            + sin_deg(sun.zenith_deg) * sin_tilt * cos_deg(sun.azimuth_deg - self.azimuth_deg);
        let beam = (dni * cos_incidence).max(0.0);
        let ground_diffuse = ghi * self.albedo * (1.0 - cos_tilt) / 2.0;
        let sky_diffuse = match self.sky {
            SkyModel::Isotropic => dhi * (1.0 + cos_tilt) / 2.0,
            SkyModel::HayDavies => {
                let anisotropy = dni / extraterrestrial_irradiance(day_of_year);
                let beam_ratio = cos_incidence.max(0.0) / cos_zenith.max(MIN_COS_ZENITH);
                let isotropic = (dhi * (1.0 - anisotropy) * (1.0 + cos_tilt) / 2.0).max(0.0);
                let circumsolar = (dhi * anisotropy * beam_ratio).max(0.0);
                isotropic + circumsolar
            }
        };
        PoaIrradiance {
            global: beam + sky_diffuse + ground_diffuse,
            beam,
            sky_diffuse,
            ground_diffuse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn julian_day_of_j2000() {
        assert_eq!(julian_day(2000, 1, 1, 12.0), J2000);
        assert_eq!(julian_day(1987, 6, 19, 12.0), 2_446_966.0);
    }

    #[test]
    fn equinox_noon_at_equator() {
        // Near the March equinox the sun is close to the zenith at local solar noon
        // on the equator. The equation of time shifts noon by about 7 minutes.
        let jd = julian_day(2024, 3, 20, 12.0 + 7.5 / 60.0);
        let sun = sun_position(jd, 0.0, 0.0);
        assert!(sun.zenith_deg < 0.5, "zenith {}", sun.zenith_deg);
    }

    #[test]
    fn flat_plane_gets_ghi() {
        let plane = Plane {
            tilt_deg: 0.0,
            azimuth_deg: 180.0,
            albedo: 0.2,
            sky: SkyModel::HayDavies,
        };
        let sun = SunPosition {
            zenith_deg: 40.0,
            azimuth_deg: 150.0,
        };
        let (dni, dhi) = (700.0, 120.0);
        let ghi = dni * cos_deg(40.0) + dhi;
        let poa = plane.irradiance(sun, ghi, dni, dhi, 172.0);
        assert!((poa.global - ghi).abs() < 1e-9, "{} vs {ghi}", poa.global);
    }
}

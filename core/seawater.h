/* seawater.h: sea-water formulas shared by the QC engine and the simulator: practical
 * salinity from conductivity, temperature and pressure and back (PSS-78, UNESCO 1983, with
 * the Hill et al. 1986 extension below SP 2 exactly as TEOS-10's gsw_sp_from_c /
 * gsw_c_from_sp), the speed of sound (Chen & Millero 1977, UNESCO 1983, the SBE45's), and
 * the sea level of a pressure tide gauge (hydrostatic, WGS84 normal gravity).
 * Pure functions of their arguments: no state, no allocation, thread-safe. See
 * docs/seawater.md for the formulas, the sources and the agreement with TEOS-10. */
#ifndef VIGIE_CORE_SEAWATER_H
#define VIGIE_CORE_SEAWATER_H

/* Conductivity of standard sea water at SP 35, 15 degC (IPTS-68), 0 dbar, S/m (42.914 mS/cm,
 * Culkin & Smith 1980, the value GSW uses): vigie's conductivity ratio is R = C / this. */
#define VG_SW_C3515_S_M 4.2914

/* Units and ranges shared by every function below:
 *   conductivity  C   S/m (1 S/m = 10 mS/cm, GSW's unit)
 *   temperature   t   degC, ITS-90 (converted inside to IPTS-68: t68 = 1.00024 t90)
 *   sea pressure  p   dbar (absolute pressure minus 10.1325 dbar; 0 at the surface)
 *   salinity      SP  practical salinity, PSS-78 (dimensionless)
 * Valid ranges of the formulas: SP 2..42 (PSS-78 itself), 0..42 with the Hill et al.
 * extension; t -2..35 degC; p 0..10000 dbar. Outside them the functions still compute (they
 * never clamp): judging a value is the QC's business, not the formula's. Any NaN or
 * infinite argument gives NaN; so does an input without a real answer (negative
 * conductivity, a salinity below the minimum the formula reaches, see each function). */

/* Practical salinity from conductivity: PSS-78 and, where PSS-78 gives SP < 2, the Hill et
 * al. (1986) formula scaled to meet PSS-78 at SP 2 (the same result as GSW's gsw_sp_from_c,
 * to 1e-14). Below 0.7e-4 to 2.2e-4 S/m (t -2..35 degC: fresh water at the detection
 * limit) the Hill formula dips slightly below zero, to -2.7e-4 at most: the negative value
 * is returned, where GSW returns its invalid value. C = 0 gives 0 (to 1e-18); C < 0 NaN. */
double vg_sw_sp_from_c(double c_S_m, double t90_degC, double p_dbar);

/* Conductivity from practical salinity: the exact inverse of vg_sw_sp_from_c (Newton's
 * method to full double precision, then the quadratic of PSS-78's pressure term solved in
 * closed form, as GSW's gsw_c_from_sp does). Where the forward formula is not monotonic
 * (SP < 0, the dip above) it returns the root on the increasing branch; NaN below the
 * minimum (no conductivity gives that salinity). */
double vg_sw_c_from_sp(double sp, double t90_degC, double p_dbar);

/* PSS-78 alone (UNESCO 1983, no extension below SP 2): what an instrument such as the
 * SBE45 computes. Below SP 2 the polynomial is extrapolated and is not monotonic near
 * C = 0: its minimum, at C of 1.5e-6 to 1.6e-4 S/m, goes from -0.0037 (t = -2 degC) to +0.015
 * (35 degC), and at C = 0 it is a0 + f(t) b0 (0.008 at 15 degC). C < 0 gives NaN. */
double vg_sw_sp_from_c_pss78(double c_S_m, double t90_degC, double p_dbar);

/* The exact inverse of vg_sw_sp_from_c_pss78 on its increasing branch (Newton's method to
 * full precision, the pressure term in closed form); NaN for a salinity below the
 * polynomial's minimum (see above). */
double vg_sw_c_from_sp_pss78(double sp, double t90_degC, double p_dbar);

/* Speed of sound in sea water, m/s: Chen & Millero (1977) as given in UNESCO 1983 (eqns
 * 33-37, the SBE45's formula), with IPTS-68 temperature inside; UNESCO check value 1731.995
 * m/s at SP 40, t68 40 degC, 10000 dbar. Valid SP 0..40, t 0..40 degC, p 0..10000 dbar;
 * computes outside. SP < 0 gives NaN (the formula has a SP^1.5 term). */
double vg_sw_sound_speed(double sp, double t90_degC, double p_dbar);

/* Normal gravity on the WGS84 ellipsoid at geodetic latitude lat_deg (-90..90), m/s^2:
 * Somigliana's closed formula with the WGS84 constants (NIMA TR8350.2, eq. 4-1),
 * 9.7803253359 m/s^2 at the equator, 9.8321849378 at the poles. NaN for a NaN or out-of-range
 * latitude. */
double vg_sw_gravity_wgs84(double lat_deg);

/* Height of the water column above a pressure gauge, m: (bprs - atms) / (rho g), with
 * bprs the absolute bottom pressure in dbar (1 dbar = 1e4 Pa: sea water plus atmosphere, the
 * CF sea_water_pressure_at_sea_floor), atms the atmospheric pressure in hPa (1 hPa = 100 Pa),
 * rho the mean density of the water column in kg/m^3 (> 0) and g the gravity in m/s^2 (> 0).
 * Any NaN argument, or rho or g not > 0, gives NaN. */
double vg_sw_water_column_m(double bprs_dbar, double atms_hPa, double rho_kg_m3, double g_m_s2);

#endif

/* params.c: the parameter table (see params.h). */
#include "core/params.h"

#include <string.h>

static const vg_param_info table[VG_P__COUNT] = {
    [VG_P_TEMP] = {"TEMP", "degree_Celsius", "sea_water_temperature", "Sea temperature",
                   VG_FAM_TEMPERATURE},
    [VG_P_PSAL] = {"PSAL", "0.001", "sea_water_practical_salinity", "Practical salinity",
                   VG_FAM_SALINITY},
    [VG_P_CNDC] = {"CNDC", "S m-1", "sea_water_electrical_conductivity",
                   "Electrical conductivity", VG_FAM_CONDUCTIVITY},
    [VG_P_PRES] = {"PRES", "dbar", "sea_water_pressure", "Sea pressure", VG_FAM_PRESSURE},
    [VG_P_SSJT] = {"SSJT", "degree_Celsius", "sea_water_temperature",
                   "Water temperature in the TSG cell", VG_FAM_TEMPERATURE},
    [VG_P_SSTP] = {"SSTP", "degree_Celsius", "sea_surface_temperature",
                   "Sea surface temperature at the intake", VG_FAM_TEMPERATURE},
    [VG_P_SSPS] = {"SSPS", "0.001", "sea_surface_salinity", "Sea surface practical salinity",
                   VG_FAM_SALINITY},
    [VG_P_FLOW] = {"FLOW", "l min-1", NULL, "Water flow in the TSG", VG_FAM_OTHER},
    [VG_P_SPDC] = {"SPDC", "knots", "platform_speed_wrt_ground", "Ship speed over ground",
                   VG_FAM_OTHER},
    [VG_P_SLEV] = {"SLEV", "m", "sea_surface_height_above_sea_level",
                   "Sea level above the station datum", VG_FAM_SEA_LEVEL},
    [VG_P_BPRS] = {"BPRS", "dbar", "sea_water_pressure_at_sea_floor", "Bottom pressure",
                   VG_FAM_PRESSURE},
    [VG_P_ATMS] = {"ATMS", "hPa", "air_pressure_at_mean_sea_level", "Atmospheric pressure",
                   VG_FAM_OTHER},
    [VG_P_SVEL] = {"SVEL", "m s-1", "speed_of_sound_in_sea_water", "Sound velocity",
                   VG_FAM_OTHER},
    [VG_P_HCRS] = {"HCRS", "degree", "platform_course", "Course over ground", VG_FAM_OTHER},
};

const vg_param_info *vg_param_get(vg_param p)
{
    return (unsigned)p < VG_P__COUNT ? &table[p] : NULL;
}

int vg_param_lookup(const char *s, size_t len)
{
    /* Every code has exactly 4 characters (test_core checks it): a fixed-size memcmp is one
     * 32-bit compare. The store's decoder looks up the code of every value it reads. */
    if (len != 4)
        return -1;
    for (int i = 0; i < VG_P__COUNT; i++)
        if (memcmp(table[i].code, s, 4) == 0)
            return i;
    return -1;
}

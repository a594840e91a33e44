// libcups2 (Debian: libcups2-dev). Only CounterCUPS imports this module.
#include <cups/cups.h>
#include <cups/ipp.h>

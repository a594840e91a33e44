// libxkbcommon (Debian: libxkbcommon-dev; keymaps from xkb-data). Only CounterScan/XKBKeymap.swift imports this module.
#include <xkbcommon/xkbcommon.h>

// libusb-1.0 (Debian: libusb-1.0-0-dev). Only CounterUSB/LibUSB.swift imports this module.
#include <libusb-1.0/libusb.h>

// libusb_set_option is variadic, which Swift cannot call: a non-variadic wrapper for the one option used.
static inline int counterd_libusb_log_level_none(libusb_context *context) {
    return libusb_set_option(context, LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_NONE);
}

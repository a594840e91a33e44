// zlib (Debian: zlib1g-dev), for the PNG preview. Only CounterPrint/PNGImage.swift calls it.
#include <zlib.h>

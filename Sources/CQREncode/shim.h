// libqrencode (Debian: libqrencode-dev). Only CounterPrint/QRMatrix.swift calls it.
#include <qrencode.h>

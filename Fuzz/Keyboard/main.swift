// Fuzz target: a keyboard scanner's evdev stream (`struct input_event` records, 24 bytes each) through
// KeyboardDecoder with a real XKB layout, fed in chunks that split records. First byte: the layout.
//
// Compiling an XKB keymap takes milliseconds, so one decoder per layout serves every input; after each
// input a partial record is completed and SYN_DROPPED + SYN_REPORT make the decoder forget held keys.
// (Caps Lock survives that, as it does in counterd; replay a crash with -runs=1 on its own.)
import CounterCore
import CounterScan
import FuzzSupport

let layouts = ["us", "fr", "de"]
let decoders = layouts.map { try! KeyboardDecoder(layout: $0) }
let resync = InputEvent(type: InputEvent.synchronization, code: InputEvent.dropped, value: 0).bytes
    + InputEvent(type: InputEvent.synchronization, code: InputEvent.report, value: 0).bytes

fuzz { bytes in
    var input = FuzzInput(bytes)
    let decoder = decoders[Int(input.byte()) % decoders.count]
    var typed: [UInt8] = []
    var fed = 0
    while !input.isEmpty {
        let chunk = input.take(Int(input.byte() % 64) + 1)
        fed += chunk.count
        typed += decoder.feed(chunk).bytes
    }
    // What was typed is UTF-8 (the framer and the verifier read it as text).
    precondition(String(validating: typed, as: UTF8.self) != nil, "the decoder typed invalid UTF-8")
    _ = try? CanonicalCode(String(decoding: typed, as: UTF8.self))
    // Back to a record boundary (zeros read as SYN_REPORT), then forget the keys held.
    _ = decoder.feed([UInt8](repeating: 0, count: (InputEvent.size - fed % InputEvent.size) % InputEvent.size) + resync)
}

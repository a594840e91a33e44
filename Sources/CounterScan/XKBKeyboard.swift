import CXKBCommon

/// A keyboard layout and its modifier state, from libxkbcommon and the system's xkb-data: the only Swift
/// code that calls libxkbcommon. Turns evdev key codes into the text the key types under that layout,
/// tracking Shift, CapsLock and NumLock itself (the desktop's state does not reach a grabbed device).
final class XKBKeyboard {
    /// The layout could not be compiled.
    struct LayoutError: Error, CustomStringConvertible {
        let layout: String
        var description: String {
            "keyboard layout \"\(layout)\" could not be loaded: use a name from /usr/share/X11/xkb/symbols "
                + "(us, de, fr, gb, …) and check that xkb-data is installed"
        }
    }

    /// What one key press produced.
    enum Output: Equatable {
        /// Nothing to type (a modifier, a key without text, a key release).
        case none
        case text(String)
        /// Typed while Alt was held: a scanner sending Alt+keypad codes for characters a keyboard
        /// cannot type (Chinese, control characters). The content cannot be recovered from keys.
        case altSequence
    }

    private let context: OpaquePointer
    private let keymap: OpaquePointer
    private let state: OpaquePointer
    private let altIndex: xkb_mod_index_t
    /// The locked modifiers a scanner expects (NumLock), restored by ``reset()``.
    private let lockedMask: xkb_mod_mask_t
    /// Where xkbcommon writes a key's UTF-8 (reused: one key at a time).
    private var text = [CChar](repeating: 0, count: 16)

    init(layout: String, variant: String? = nil) throws(LayoutError) {
        guard let context = xkb_context_new(XKB_CONTEXT_NO_FLAGS) else { throw LayoutError(layout: layout) }
        let keymap: OpaquePointer? = layout.withCString { layoutName in
            (variant ?? "").withCString { variantName in
                "evdev".withCString { rules in
                    var names = xkb_rule_names(rules: rules, model: nil, layout: layoutName,
                                               variant: variant == nil ? nil : variantName, options: nil)
                    return xkb_keymap_new_from_names(context, &names, XKB_KEYMAP_COMPILE_NO_FLAGS)
                }
            }
        }
        guard let keymap, let state = xkb_state_new(keymap) else {
            xkb_context_unref(context)
            throw LayoutError(layout: layout)
        }
        self.context = context
        self.keymap = keymap
        self.state = state
        altIndex = xkb_keymap_mod_get_index(keymap, XKB_MOD_NAME_ALT)
        // Scanners type keypad digits expecting NumLock on; start with it locked.
        let numLock = xkb_keymap_mod_get_index(keymap, XKB_MOD_NAME_NUM)
        lockedMask = numLock != XKB_MOD_INVALID ? 1 << numLock : 0
        xkb_state_update_mask(state, 0, 0, lockedMask, 0, 0, 0)
    }

    /// Forgets every held modifier (a Shift whose release was lost must not shift the next scan).
    func reset() {
        xkb_state_update_mask(state, 0, 0, lockedMask, 0, 0, 0)
    }

    deinit {
        xkb_state_unref(state)
        xkb_keymap_unref(keymap)
        xkb_context_unref(context)
    }

    /// One evdev `EV_KEY` event: `value` 1 is a press, 0 a release, 2 an autorepeat (ignored).
    /// Text is taken on the press, before the key changes the state (decoding on release loses keys).
    func key(code: UInt16, value: Int32) -> Output {
        let keycode = xkb_keycode_t(code) + 8
        switch value {
        case 1:
            let length = xkb_state_key_get_utf8(state, keycode, &text, text.count)
            let altHeld = altIndex != XKB_MOD_INVALID
                && xkb_state_mod_index_is_active(state, altIndex, XKB_STATE_MODS_EFFECTIVE) > 0
            xkb_state_update_key(state, keycode, XKB_KEY_DOWN)
            guard length > 0 else { return .none }
            if altHeld { return .altSequence }
            let bytes = text.prefix(min(Int(length), text.count - 1)).map { UInt8(bitPattern: $0) }
            return .text(String(decoding: bytes, as: UTF8.self))
        case 0:
            xkb_state_update_key(state, keycode, XKB_KEY_UP)
            return .none
        default:
            return .none
        }
    }
}

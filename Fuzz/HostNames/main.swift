// Fuzz target: the host names and header values that decide who may talk to counterd and where the device
// token goes (issue 15's DNS rebinding and Retry-After traps). The input is one text, tried as:
// a Host/Origin authority (BrowserGuard), a hub URL (validateHubURL, redactedHubURL), an api.http listen
// address (parseHTTPAddress), and a Retry-After value (HubClient).
@testable import CounterAPI
import CounterCore
import CounterHTTP
@testable import CounterDaemon
@testable import CounterSync
import FuzzSupport
import Foundation
import Hummingbird
import NIOHTTP1

/// An independent, cruder idea of loopback: `localhost`, or only the characters of an IP literal, and for
/// IPv4 four decimal parts starting with 127. Anything LoopbackHost accepts must pass it: a host *name*
/// never may.
func looksLikeLoopbackLiteral(_ host: String) -> Bool {
    var text = host.lowercased()
    if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
    if text == "localhost" { return true }
    if text.contains(":") { return text.allSatisfy { "0123456789abcdef:.".contains($0) } }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        && parts[0] == "127"
}

fuzz { bytes in
    let text = String(decoding: bytes, as: UTF8.self)

    if LoopbackHost.contains(text) {
        precondition(looksLikeLoopbackLiteral(text), "LoopbackHost accepts \(text.debugDescription)")
    }
    if let host = BrowserGuard<ServerRequestContext>.hostName(of: text), LoopbackHost.contains(host) {
        precondition(looksLikeLoopbackLiteral(host), "BrowserGuard takes \(text.debugDescription) for loopback")
    }

    if let url = try? validateHubURL(text) {
        precondition(url.user == nil && url.password == nil && url.query == nil && url.fragment == nil,
                     "validateHubURL accepts \(text.debugDescription)")
        if url.scheme?.lowercased() == "http" {
            precondition(looksLikeLoopbackLiteral(url.host ?? ""), "plain http to \(url.host ?? "")")
        }
    }
    _ = redactedHubURL(text)

    if let address = try? DaemonConfiguration.parseHTTPAddress(text, allowNonLoopback: false) {
        precondition(looksLikeLoopbackLiteral(address.host), "api.http \(text.debugDescription) listens beyond loopback")
    }

    var headers = HTTPHeaders()
    headers.add(name: "Retry-After", value: text)
    if let seconds = HubClient.retryAfter(headers) {
        precondition(seconds.isFinite && seconds >= 0 && seconds <= HubClient.retryAfterCap, "Retry-After \(seconds)")
    }
}

import CounterCUPS
import CounterTestSupport
import Foundation
import Testing

/// libcups against a real private cupsd with raw queues to a capturing TCP listener.
@Suite(.serialized, .enabled(if: PrivateCUPS.isInstalled, "needs cupsd and lpadmin (apt-get install cups)"))
struct CUPSClientTests {
    @Test func aRawJobDeliversExactlyTheBytes() async throws {
        let cups = try PrivateCUPS()
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port)
        let client = CUPSClient(server: cups.server)
        let bytes: [UInt8] = [0x1B, 0x40, 0x1C, 0x26, 0xD6, 0xD0, 0x1C, 0x2E, 0x0A, 0x00, 0xFF, 0x1D, 0x56, 0x41, 0x10]
        let job = try await client.submitRaw(bytes, to: "receipt", title: "test")
        #expect(job.destination == "receipt")
        #expect(job.jobID > 0)
        let received = await printer.waitForJobs(1)
        #expect(received == [bytes], "cupsd log: \(cups.log)")
        // The job's state follows it to the end.
        var state = try await client.jobState(job.jobID).state
        for _ in 0..<100 where !state.isFinal {
            try await Task.sleep(for: .milliseconds(100))
            state = try await client.jobState(job.jobID).state
        }
        #expect(state == .completed)
    }

    /// cupsd 2.4.2 crashes writing the page log of a job named with a space; titles are made safe.
    @Test func aTitleWithSpacesDoesNotTakeCUPSDown() async throws {
        let cups = try PrivateCUPS()
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port)
        let client = CUPSClient(server: cups.server)
        _ = try await client.submitRaw([0x41, 0x0A], to: "receipt", title: "receipt redemption 01a2")
        _ = try await client.submitRaw([0x42, 0x0A], to: "receipt", title: "second\tjob")
        #expect(await printer.waitForJobs(2).count == 2)
        try await Task.sleep(for: .seconds(1))
        #expect(try await client.destinations().map(\.name) == ["receipt"], "cupsd still answers; log: \(cups.log)")
    }

    @Test func destinationsAndTheDefault() async throws {
        let cups = try PrivateCUPS()
        let client = CUPSClient(server: cups.server)
        #expect(try await client.destinations().isEmpty)
        #expect(try await client.defaultDestination() == nil)
        try cups.addRawQueue("front", port: 9, makeDefault: true)
        try cups.addRawQueue("back", port: 9)
        let destinations = try await client.destinations()
        #expect(Set(destinations.map(\.name)) == ["front", "back"])
        #expect(destinations.first { $0.name == "front" }?.isDefault == true)
        #expect(destinations.first { $0.name == "back" }?.deviceURI == "socket://127.0.0.1:9")
        #expect(try await client.defaultDestination() == "front")
        // No name given: the default queue takes the job.
        let job = try await client.submitRaw([0x0A], to: nil, title: "default")
        #expect(job.destination == "front")
    }

    @Test func aMissingQueueIsNamed() async throws {
        let cups = try PrivateCUPS()
        let client = CUPSClient(server: cups.server)
        await #expect(throws: CUPSError.self) { try await client.submitRaw([0x0A], to: "nope", title: "x") }
        do {
            _ = try await client.submitRaw([0x0A], to: "nope", title: "x")
        } catch let error as CUPSError {
            #expect(error.kind == .destinationNotFound)
            #expect(error.message.contains("'nope'"))
        }
        do {
            _ = try await client.submitRaw([0x0A], to: nil, title: "x")
        } catch let error as CUPSError {
            #expect(error.kind == .destinationNotFound)
            #expect(error.message.contains("no default printer"))
        }
    }

    @Test func cupsNotRunningIsUnavailable() async throws {
        let port = try CaptureListener.freePort()
        let client = CUPSClient(server: "127.0.0.1:\(port)", connectTimeout: .seconds(1))
        do {
            _ = try await client.submitRaw([0x0A], to: "receipt", title: "x")
            Issue.record("a job was accepted with no CUPS running")
        } catch let error as CUPSError {
            #expect(error.kind == .unavailable, "\(error)")
            #expect(error.isTransient)
            #expect(error.message.contains("127.0.0.1:\(port)"))
        }
        await #expect(throws: CUPSError.self) { try await client.destinations() }
    }

    @Test func aQueueThatRejectsJobsSaysHowToFixIt() async throws {
        let cups = try PrivateCUPS()
        try cups.addRawQueue("receipt", port: 9)
        let reject = Process()
        reject.executableURL = URL(fileURLWithPath: "/usr/sbin/cupsreject")
        reject.arguments = ["-h", cups.server, "receipt"]
        try reject.run()
        reject.waitUntilExit()
        do {
            _ = try await CUPSClient(server: cups.server).submitRaw([0x0A], to: "receipt", title: "x")
            Issue.record("a rejecting queue took a job")
        } catch let error as CUPSError {
            #expect(error.kind == .notAccepting, "\(error)")
            #expect(error.message.contains("cupsaccept"))
        }
    }
}

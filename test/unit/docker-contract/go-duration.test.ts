// The contract's Go duration functions against Go's own table (src/time/time_test.go,
// durationTests and parseDurationTests), and the platform's durations against them.
import { describe, expect, it } from "vitest";
import { goDuration } from "../../../components/platform/docker";
import { contractViolations, goDurationString, parseGoDuration } from "./provider-contract";

const NS = { us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

describe("Go's time.Duration in TypeScript", () => {
    it.each<[string, bigint]>([
        ["0s", 0n],
        ["1ns", 1n],
        ["1.1µs", 1100n],
        ["2.2ms", 2200n * NS.us],
        ["3.3s", 3300n * NS.ms],
        ["4m5s", 4n * NS.m + 5n * NS.s],
        ["4m5.001s", 4n * NS.m + 5001n * NS.ms],
        ["5h6m7.001s", 5n * NS.h + 6n * NS.m + 7001n * NS.ms],
        ["8m0.000000001s", 8n * NS.m + 1n],
        ["2562047h47m16.854775807s", (1n << 63n) - 1n],
        ["-2562047h47m16.854775808s", -(1n << 63n)],
    ])("String() is %s", (want, d) => {
        expect(goDurationString(d)).toBe(want);
    });

    it.each<[string, bigint]>([
        ["0", 0n],
        ["5s", 5n * NS.s],
        ["30s", 30n * NS.s],
        ["1478s", 1478n * NS.s],
        ["-5s", -5n * NS.s],
        ["+5s", 5n * NS.s],
        ["5.0s", 5n * NS.s],
        ["5.6s", 5n * NS.s + 600n * NS.ms],
        [".5s", 500n * NS.ms],
        ["1.s", NS.s],
        ["1.0s", NS.s],
        ["100ms", 100n * NS.ms],
        ["10us", 10n * NS.us],
        ["10µs", 10n * NS.us],
        ["3h30m", 3n * NS.h + 30n * NS.m],
        ["10.5s4m", 4n * NS.m + 10n * NS.s + 500n * NS.ms],
        ["1h1m1s1ms1us1ns", NS.h + NS.m + NS.s + NS.ms + NS.us + 1n],
        ["120s", 2n * NS.m],
    ])("ParseDuration(%s)", (s, want) => {
        expect(parseGoDuration(s)).toBe(want);
    });

    it.each(["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "3000000h"])("ParseDuration(%j) fails", (s) => {
        expect(typeof parseGoDuration(s)).toBe("string");
    });
});

describe("the platform's durations", () => {
    it("are what the provider reads back, for every whole millisecond count it may be given", () => {
        const samples = [0, 1, 7, 500, 999, 1000, 1001, 1500, 2000, 59_999, 60_000, 61_000, 119_999, 120_000, 3_599_999, 3_600_000, 3_661_001, 90_000_000];
        for (const ms of samples) expect(goDuration(ms)).toBe(goDurationString(BigInt(ms) * NS.ms));
    });

    it("refuses what it cannot spell", () => {
        expect(() => goDuration(1.5)).toThrow("whole, non-negative milliseconds");
        expect(() => goDuration(-1)).toThrow("whole, non-negative milliseconds");
    });
});

describe("the contract catches what the real provider found (issue 19)", () => {
    it("an empty upload (NGINX's .keep) and a duration that reads back changed ('120s')", () => {
        const state = {
            uploads: [{ file: "/tmp/canton-ha-proxy/.keep", content: "" }],
            healthcheck: { tests: ["CMD", "true"], interval: "2s", timeout: "2s", startPeriod: "120s" },
            wait: true,
            restart: "unless-stopped",
        };
        expect(contractViolations("sequencer-proxy", state)).toEqual([
            "sequencer-proxy: upload /tmp/canton-ha-proxy/.keep: exactly one of content, contentBase64, source must be non-empty, got 0",
            "sequencer-proxy: healthcheck.startPeriod: '120s' reads back as '2m0s' (a diff on every refresh)",
        ]);
    });

    it("a key with the provider's default mode, an upload a tmpfs hides, a bad mode, a bad restart policy", () => {
        const secret = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
        const state = {
            uploads: [
                { file: "/canton/tls/server.key", content: secret("key") },
                { file: "/x/y.conf", content: "a", permissions: "0644" },
                { file: "/etc/a", content: "a", permissions: "644" },
            ],
            tmpfs: { "/x": "mode=0700" },
            restart: "sometimes",
        };
        expect(contractViolations("c", state)).toEqual([
            "c: upload /canton/tls/server.key: a secret file is world-readable (permissions default 0644)",
            "c: upload /x/y.conf: under the tmpfs /x, which hides it once the container starts",
            "c: upload /etc/a: permissions '644' must match ^0[0-7]{3}$",
            "c: restart 'sometimes' is not one of no, on-failure, always, unless-stopped",
        ]);
    });
});

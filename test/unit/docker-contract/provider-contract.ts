// What the Docker provider (pulumi-docker 5.2.0, kreuzwerker/terraform-provider-docker at the
// commit its `upstream` submodule pins, 5074970c) checks or rewrites on a container, as far as
// the program relies on it, written out so that a container input it would refuse or read
// back differently fails under mocks, in CI, without the provider:
//   - an upload needs exactly one non-empty `content`, `content_base64` or `source`
//     (resource_docker_container_funcs.go: "one of 'content', 'content_base64', or 'source'
//     must be set"); `permissions` matches ^0[0-7]{3}$; `content_base64` decodes;
//   - healthcheck durations must parse with Go's time.ParseDuration and be >= 0
//     (validateDurationGeq0); the engine stores nanoseconds and the provider reads them back
//     with time.Duration.String(), so only the canonical spelling survives a refresh;
//   - `restart` is one of no|on-failure|always|unless-stopped;
//   - `wait` needs a healthcheck.
// And two things of Docker itself the program relies on: a tmpfs is mounted at start, so an
// upload under one would be hidden; uploads are written root-owned, so a key must not be
// world-readable.
import { isSecretValue } from "../../support/mocks";

const NS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const MAX_DURATION = (1n << 63n) - 1n;

/** Go's time.ParseDuration: nanoseconds, or an error message. */
export function parseGoDuration(s: string): bigint | string {
    const orig = s;
    let neg = false;
    if (s.startsWith("-") || s.startsWith("+")) {
        neg = s[0] === "-";
        s = s.slice(1);
    }
    if (s === "0") return 0n;
    if (s === "") return `time: invalid duration "${orig}"`;
    let total = 0n;
    while (s !== "") {
        const m = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/.exec(s);
        if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) return `time: invalid duration "${orig}"`;
        const unit = NS[m[3]];
        if (unit === undefined) return `time: unknown unit "${m[3]}" in duration "${orig}"`;
        const whole = BigInt(m[1] || "0") * unit;
        const frac = m[2] ?? "";
        // Go scales the fraction in floating point; whole nanoseconds here (same for ms inputs).
        const fracNs = frac === "" ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
        total += whole + fracNs;
        if (total > MAX_DURATION) return `time: invalid duration "${orig}"`;
        s = s.slice(m[0].length);
    }
    return neg ? -total : total;
}

/** Go's fmtFrac: the fraction of v / 10^prec without trailing zeros, and v / 10^prec. */
function fmtFrac(v: bigint, prec: number): [string, bigint] {
    let digits = "";
    let print = false;
    for (let i = 0; i < prec; i++) {
        const digit = v % 10n;
        print = print || digit !== 0n;
        if (print) digits = `${digit}${digits}`;
        v /= 10n;
    }
    return [print ? `.${digits}` : "", v];
}

/** Go's time.Duration.String(). */
export function goDurationString(d: bigint): string {
    const neg = d < 0n;
    let u = neg ? -d : d;
    let out: string;
    if (u < NS.s) {
        if (u === 0n) return "0s";
        const [unit, prec] = u < NS.us ? ["ns", 0] : u < NS.ms ? ["µs", 3] : ["ms", 6];
        const [frac, whole] = fmtFrac(u, prec as number);
        out = `${whole}${frac}${unit}`;
    } else {
        const [frac, secs] = fmtFrac(u, 9);
        u = secs;
        out = `${u % 60n}${frac}s`;
        u /= 60n;
        if (u > 0n) {
            out = `${u % 60n}m${out}`;
            u /= 60n;
            if (u > 0n) out = `${u}h${out}`;
        }
    }
    return neg ? `-${out}` : out;
}

/** Why a container input would be refused or read back changed; empty when it would not. */
export function contractViolations(name: string, state: any): string[] {
    const problems: string[] = [];
    const say = (what: string) => problems.push(`${name}: ${what}`);
    const plain = (v: unknown): unknown => (isSecretValue(v) ? (v as any).value : v);

    const uploads: any[] = (plain(state.uploads) as any[] | undefined) ?? [];
    const tmpfsPaths = Object.keys((plain(state.tmpfs) as Record<string, string> | undefined) ?? {});
    for (const raw of uploads) {
        const u = plain(raw) as any;
        const given = ["content", "contentBase64", "source"].filter((k) => {
            const v = plain(u[k]);
            return typeof v === "string" && v !== "";
        });
        if (given.length !== 1) say(`upload ${u.file}: exactly one of content, contentBase64, source must be non-empty, got ${given.length}`);
        const b64 = plain(u.contentBase64);
        if (typeof b64 === "string" && b64 !== "" && !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64))
            say(`upload ${u.file}: contentBase64 is not base64`);
        if (u.permissions !== undefined && !/^0[0-7]{3}$/.test(u.permissions)) say(`upload ${u.file}: permissions '${u.permissions}' must match ^0[0-7]{3}$`);
        const secret = isSecretValue(raw) || isSecretValue(u.content) || isSecretValue(u.contentBase64);
        // The provider's default mode is 0644 (world-readable), and the file is root's.
        if (secret && (u.permissions === undefined || (parseInt(u.permissions, 8) & 0o007) !== 0))
            say(`upload ${u.file}: a secret file is world-readable (permissions ${u.permissions ?? "default 0644"})`);
        const hidden = tmpfsPaths.find((t) => u.file.startsWith(`${t}/`));
        if (hidden) say(`upload ${u.file}: under the tmpfs ${hidden}, which hides it once the container starts`);
    }

    const hc = plain(state.healthcheck) as Record<string, unknown> | undefined;
    for (const field of ["interval", "timeout", "startPeriod", "startInterval"]) {
        const v = hc?.[field];
        if (v === undefined) continue;
        const ns = parseGoDuration(String(v));
        if (typeof ns === "string") say(`healthcheck.${field}: ${ns}`);
        else if (ns < 0n) say(`healthcheck.${field}: '${v}' is negative`);
        else if (goDurationString(ns) !== v) say(`healthcheck.${field}: '${v}' reads back as '${goDurationString(ns)}' (a diff on every refresh)`);
    }
    if (state.restart !== undefined && !/^(no|on-failure|always|unless-stopped)$/.test(state.restart))
        say(`restart '${state.restart}' is not one of no, on-failure, always, unless-stopped`);
    if (state.wait === true && !hc?.tests) say("wait needs a healthcheck");
    return problems;
}

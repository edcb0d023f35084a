/**
 * Bring-your-own PKI tooling (docs/pki-files.md), with the `openssl` CLI:
 *
 *   npm run pki:request    -- --stack <stack> --out <dir> [--csr] [--force]
 *       <out>/certificates.json and certificates.md: every certificate the stack needs, per
 *       trust domain (subject, SANs, key usages, key, validity). With --csr also, per leaf,
 *       <out>/<trust domain>/<id>.key (made here, mode 0600, never printed) and <id>.csr.
 *   npm run pki:make-files -- --stack <stack> --out <dir> [--ca-dir <dir>] [--force]
 *       a complete `pki.source: files` directory: a root and intermediate CA per trust domain
 *       (kept in --ca-dir and reused from there when given, else discarded), ca-chain.pem and
 *       every <id>.crt/.key, in the reference profile.
 *
 * Reads Pulumi.<stack>.yaml from the project directory (no Pulumi engine, no secrets) and plans
 * it with the library, so the certificate ids, names and SANs are exactly what `pulumi up`
 * expects. The profile and the openssl recipes are scripts/lib/pki-openssl.ts, which the
 * tests' generator (test/support/pki-files.ts) uses too. Bundled to .cache/ and run by node.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
    CA_CHAIN_FILE,
    certificateRequests,
    createCsr,
    generateRsaKey,
    inBatches,
    opensslCli,
    writeFilesDirectory,
    type CaProfile,
    type LeafRequest,
    type Openssl,
    type TrustDomainRequest,
} from "./lib/pki-openssl";
import { loadStackPlan } from "./lib/stack-plan";

const USAGE = `usage:
  npm run pki:request    -- --stack <stack> --out <dir> [--csr] [--force]
  npm run pki:make-files -- --stack <stack> --out <dir> [--ca-dir <dir>] [--force]`;

class UsageError extends Error {}

interface Options {
    command: "request" | "make-files";
    stack: string;
    out: string;
    csr: boolean;
    caDir?: string;
    force: boolean;
}

/** Relative paths are the caller's: npm runs scripts in the project directory but records where it was called (INIT_CWD). */
const fromCaller = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

function parseOptions(argv: string[]): Options {
    const [command, ...rest] = argv;
    if (command !== "request" && command !== "make-files") throw new UsageError(`unknown command '${command ?? ""}' (scripts/pki.ts runs 'request' or 'make-files')`);
    let values: { stack?: string; out?: string; csr?: boolean; "ca-dir"?: string; force?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: rest,
            options: {
                stack: { type: "string" },
                out: { type: "string" },
                csr: { type: "boolean" },
                "ca-dir": { type: "string" },
                force: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (e) {
        throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/, ""));
    }
    if (values.help) throw new UsageError("");
    if (!values.stack) throw new UsageError("--stack is required: the stack whose Pulumi.<stack>.yaml to plan, e.g. --stack dev");
    if (!values.out) throw new UsageError(`--out is required: the directory to write to, e.g. --out pki/${values.stack} (then set pki.directory to it)`);
    if (command === "request" && values["ca-dir"]) throw new UsageError("--ca-dir belongs to pki:make-files; pki:request makes no CA (your CA signs the CSRs)");
    if (command === "make-files" && values.csr) throw new UsageError("--csr belongs to pki:request; pki:make-files signs every certificate itself");
    return {
        command,
        stack: values.stack,
        out: fromCaller(values.out),
        csr: values.csr === true,
        caDir: values["ca-dir"] && fromCaller(values["ca-dir"]),
        force: values.force === true,
    };
}

/** A path as the caller would type it: relative below where they are, absolute elsewhere. */
const rel = (p: string) => {
    const r = path.relative(process.env.INIT_CWD ?? process.cwd(), p);
    return r === "" ? "." : r.startsWith("..") ? p : r;
};

function counts(tds: TrustDomainRequest[]): string[] {
    const width = Math.max(...tds.map((t) => t.id.length));
    return tds.map((t) => {
        const by = (u: string) => t.certificates.filter((c) => c.usage === u).length;
        const parts = (["server", "client", "signing"] as const).filter((u) => by(u) > 0).map((u) => `${by(u)} ${u}`);
        return `  ${t.id.padEnd(width)}  ${String(t.certificates.length).padStart(3)} certificates (${parts.join(", ")})`;
    });
}

// --- pki:request ---------------------------------------------------------------------------------

const years = (hours: number) => `${Math.round(hours / (24 * 365))} y`;
const dn = (s: { commonName: string; organization?: string; organizationalUnit?: string }) =>
    [`CN=${s.commonName}`, s.organization && `O=${s.organization}`, s.organizationalUnit && `OU=${s.organizationalUnit}`].filter(Boolean).join(", ");

function caJson(ca: CaProfile) {
    return {
        subject: ca.subject,
        key: ca.key,
        validityHours: ca.validityHours,
        basicConstraints: { critical: true, ca: true, ...(ca.pathLength === undefined ? {} : { pathLength: ca.pathLength }) },
        keyUsage: { critical: true, values: ca.keyUsage },
    };
}

function leafJson(c: LeafRequest, withCsr: boolean) {
    return {
        id: c.id,
        usage: c.usage,
        subject: c.subject,
        subjectAltNames: { dnsNames: c.dnsNames, ipAddresses: c.ipAddresses },
        keyUsage: { critical: true, values: c.keyUsage },
        extendedKeyUsage: c.extendedKeyUsage,
        key: { ...c.key, format: "PEM, PKCS#8 (PKCS#1 accepted)", accepted: "RSA of at least 2048 bits, or EC of at least P-256" },
        validityHours: c.validityHours,
        earlyRenewalHours: c.earlyRenewalHours,
        files: withCsr ? c.files : { certificate: c.files.certificate, key: c.files.key },
    };
}

function requestJson(stack: string, file: string, tds: TrustDomainRequest[], withCsr: boolean) {
    return {
        stack,
        stackFile: path.basename(file),
        layout: "docs/pki-files.md",
        trustDomains: tds.map((t) => ({
            id: t.id,
            directory: t.id,
            caChain: { file: t.caChainFile, order: "issuing CA first, root last", issuingCa: caJson(t.intermediate), root: caJson(t.root) },
            certificates: t.certificates.map((c) => leafJson(c, withCsr)),
        })),
    };
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

function requestMarkdown(stack: string, file: string, tds: TrustDomainRequest[], withCsr: boolean): string {
    const lines = [
        `# Certificates for stack \`${stack}\``,
        "",
        `From \`${path.basename(file)}\` by \`npm run pki:request\`; the layout and what \`pulumi up\` checks are in docs/pki-files.md.`,
        "Put each trust domain's files in `<pki.directory>/<trust domain>/`: `ca-chain.pem` (the issuing CA first, root last),",
        "and per certificate `<id>.crt` (PEM, the leaf first) with its key `<id>.key` (PEM, PKCS#8 or PKCS#1).",
        "Keys: RSA of at least 2048 bits (4096 for the CAs) or EC of at least P-256. keyUsage is critical.",
        ...(withCsr ? ["", "With `--csr`: each `<id>.key` was made here (keep it there, mode 0600); have the trust domain's CA sign `<id>.csr` into `<id>.crt`."] : []),
    ];
    for (const t of tds) {
        const r = t.root;
        const i = t.intermediate;
        lines.push(
            "",
            `## Trust domain \`${t.id}\` (${t.certificates.length} certificates)`,
            "",
            `CA chain \`${t.caChainFile}\`: the issuing CA (profile: ${cell(dn(i.subject))}, ${i.key.type} ${i.key.bits}, ${years(i.validityHours)}, CA:true, pathlen:${i.pathLength}),`,
            `then the root (${cell(dn(r.subject))}, ${r.key.type} ${r.key.bits}, ${years(r.validityHours)}, CA:true); both keyUsage ${r.keyUsage.join(", ")}.`,
            "",
            "| id | usage | subject | SANs | keyUsage | extendedKeyUsage | key | validity (h) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            ...t.certificates.map((c) => {
                const sans = [...c.dnsNames.map((d) => `DNS:${d}`), ...c.ipAddresses.map((a) => `IP:${a}`)];
                return `| \`${c.id}\` | ${c.usage} | ${cell(dn(c.subject))} | ${sans.length > 0 ? cell(sans.join(", ")) : "none"} | ${c.keyUsage.join(", ")} | ${c.extendedKeyUsage.join(", ") || "none"} | ${c.key.type} ${c.key.bits} | ${c.validityHours} |`;
            }),
        );
    }
    return lines.join("\n") + "\n";
}

async function request(openssl: Openssl, o: Options): Promise<void> {
    const { plan, file, notes } = loadStackPlan(o.stack, process.cwd());
    const tds = certificateRequests(plan);
    const leaves = tds.flatMap((t) => t.certificates);
    if (o.csr && !o.force) {
        const existing = leaves.map((c) => path.join(o.out, c.files.key)).filter((k) => fs.existsSync(k));
        if (existing.length > 0) {
            throw new Error(
                `--out ${rel(o.out)} already holds ${existing.length} key(s), e.g. ${rel(existing[0])}; a new key would not match a certificate already issued for it. ` +
                    "Choose another --out, or pass --force to replace every key and CSR",
            );
        }
    }
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, "certificates.json"), JSON.stringify(requestJson(o.stack, file, tds, o.csr), null, 2) + "\n");
    fs.writeFileSync(path.join(o.out, "certificates.md"), requestMarkdown(o.stack, file, tds, o.csr));
    if (o.csr) {
        for (const t of tds) fs.mkdirSync(path.join(o.out, t.id), { recursive: true, mode: 0o700 });
        await inBatches(
            leaves.map((c) => async () => {
                const key = path.join(o.out, c.files.key);
                await generateRsaKey(openssl, key, c.key.bits);
                await createCsr(openssl, c, key, path.join(o.out, c.files.csr));
            }),
        );
    }
    console.log(`pki:request, stack ${o.stack} (${path.basename(file)}): ${tds.length} trust domains, ${leaves.length} certificates`);
    for (const line of counts(tds)) console.log(line);
    for (const n of notes) console.log(`note: ${n}`);
    console.log(`wrote ${rel(path.join(o.out, "certificates.json"))} and ${rel(path.join(o.out, "certificates.md"))}`);
    if (o.csr) {
        console.log(`wrote ${leaves.length} private keys (mode 0600, not printed) and CSRs: ${rel(o.out)}/<trust domain>/<id>.key and <id>.csr`);
        console.log(
            `next: have each trust domain's CA sign its CSRs into <id>.crt next to the key, put the CA chain (issuing CA first) in <trust domain>/${CA_CHAIN_FILE}, ` +
                `then set pki.source: files and pki.directory: ${rel(o.out)}`,
        );
    } else {
        console.log("next: issue these certificates (or run again with --csr for keys and CSRs made here), lay them out as docs/pki-files.md says");
    }
}

// --- pki:make-files ------------------------------------------------------------------------------

const inside = (child: string, parent: string) => {
    const r = path.relative(parent, child);
    return r === "" || (!r.startsWith("..") && !path.isAbsolute(r));
};

async function makeFiles(openssl: Openssl, o: Options): Promise<void> {
    const { plan, file, notes } = loadStackPlan(o.stack, process.cwd());
    const tds = certificateRequests(plan);
    if (o.caDir && (inside(o.caDir, o.out) || inside(o.out, o.caDir))) {
        throw new Error(`--ca-dir ${rel(o.caDir)} and --out ${rel(o.out)} overlap; the CA keys must not sit in (or around) the files directory: pick a --ca-dir elsewhere`);
    }
    if (fs.existsSync(o.out) && fs.readdirSync(o.out).length > 0 && !o.force) {
        throw new Error(`--out ${rel(o.out)} is not empty; choose an empty or new directory, or pass --force to overwrite the files this command writes`);
    }
    const scratch = o.caDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-pki-ca-"));
    const caDir = o.caDir ?? scratch!;
    const t0 = Date.now();
    try {
        fs.mkdirSync(caDir, { recursive: true, mode: 0o700 });
        const freshKeys = async (td: string): Promise<[string, string]> => {
            const k = (tier: string) => path.join(caDir, `.${td}-${tier}-${crypto.randomBytes(4).toString("hex")}.key`);
            const [root, intermediate] = [k("root"), k("intermediate")];
            try {
                await Promise.all([generateRsaKey(openssl, root, tds[0].root.key.bits), generateRsaKey(openssl, intermediate, tds[0].intermediate.key.bits)]);
                return [fs.readFileSync(root, "utf8"), fs.readFileSync(intermediate, "utf8")];
            } finally {
                fs.rmSync(root, { force: true });
                fs.rmSync(intermediate, { force: true });
            }
        };
        const made = await writeFilesDirectory(openssl, tds, { dir: o.out, caDir, caKeys: freshKeys });
        console.log(
            `pki:make-files, stack ${o.stack} (${path.basename(file)}): ${made.trustDomains.length} trust domains, ${made.leaves.length} certificates in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        for (const line of counts(tds)) console.log(line);
        for (const n of notes) console.log(`note: ${n}`);
        console.log(`wrote ${rel(o.out)}/<trust domain>/${CA_CHAIN_FILE}, <id>.crt and <id>.key (keys mode 0600, not printed)`);
        if (o.caDir) {
            const reused = made.trustDomains.filter((t) => t.ca.reused).map((t) => t.request.id);
            console.log(
                `CA keys in ${rel(o.caDir)}/<trust domain>/ (keep them safe and out of the files directory)` +
                    (reused.length > 0 ? `; reused the existing CA of ${reused.join(", ")}` : "; run again with the same --ca-dir to renew the leaves under the same CAs"),
            );
        } else {
            console.log("CA keys discarded (no --ca-dir): a later run makes new CAs; pass --ca-dir <dir> to keep them and renew under the same CAs");
        }
        console.log(`next: set pki.source: files and pki.directory: ${rel(o.out)} (relative to the project directory)`);
    } finally {
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    }
}

async function main(): Promise<number> {
    let o: Options;
    try {
        o = parseOptions(process.argv.slice(2));
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        if (e.message) console.error(`error: ${e.message}`);
        console.error(USAGE);
        return e.message ? 2 : 0;
    }
    try {
        const openssl = opensslCli();
        await (o.command === "request" ? request(openssl, o) : makeFiles(openssl, o));
        return 0;
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        return 1;
    }
}

main().then(
    (code) => (process.exitCode = code),
    (e) => {
        console.error(e);
        process.exitCode = 1;
    },
);

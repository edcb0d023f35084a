// The reference PKI profile (openssl recipes of the reference deployment), as data.
import type { CertificateUsage } from "../plan/types";

const HOURS_PER_YEAR = 24 * 365;

export const ROOT_CA = { rsaBits: 4096, validityHours: 20 * HOURS_PER_YEAR } as const;
/** `CA:true, pathlen:0`: the intermediate may sign leaves only. */
export const INTERMEDIATE_CA = { rsaBits: 4096, validityHours: 10 * HOURS_PER_YEAR, maxPathLength: 0 } as const;
/** keyUsage = critical, digitalSignature, cRLSign, keyCertSign. */
export const CA_USES = ["digital_signature", "crl_signing", "cert_signing"];
export const LEAF_RSA_BITS = 2048;

export type LeafUsage = CertificateUsage | "signing";

/** keyUsage/extendedKeyUsage of each leaf kind, in @pulumi/tls `allowedUses` terms. */
export function leafUses(usage: LeafUsage): string[] {
    switch (usage) {
        case "server":
            return ["digital_signature", "key_encipherment", "server_auth"];
        case "client":
            return ["digital_signature", "key_encipherment", "client_auth"];
        case "signing":
            return ["digital_signature"];
    }
}

/** PKCS#8 PEM to base64 of the DER bytes (what pgjdbc's `sslkey` wants). */
export function pemToDerBase64(pem: string): string {
    const body = pem
        .split(/\r?\n/)
        .filter((l) => l.length > 0 && !l.startsWith("-----"))
        .join("");
    if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error("not a PEM block");
    return body;
}

/** Joins PEM blocks into one chain file, one block per line group, ending in a newline. */
export function pemChain(...pems: string[]): string {
    return pems.map((p) => p.trim()).join("\n") + "\n";
}

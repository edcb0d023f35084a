// Container image references: `[registry[:port]/]path[:tag][@digest]`, as Docker reads them.

export interface ImageRef {
    text: string;
    /** The registry host (and port), or undefined for Docker Hub short names (`postgres:15`). */
    registry?: string;
    /** The repository path without registry, e.g. `canton-enterprise` or `library/postgres`. */
    path: string;
    tag?: string;
    digest?: string;
}

export function parseImage(text: string): ImageRef {
    let rest = text.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let registry: string | undefined;
    const slash = rest.indexOf("/");
    if (slash > 0) {
        const first = rest.slice(0, slash);
        // Docker's rule: the first component is a registry if it has a dot or a port, or is localhost.
        if (first.includes(".") || first.includes(":") || first === "localhost") {
            registry = first;
            rest = rest.slice(slash + 1);
        }
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon >= 0) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    return { text, registry, path: rest, tag, digest };
}

/** The image's own name: the last path component (`canton-enterprise`, `postgres`). */
export const imageName = (ref: ImageRef) => ref.path.split("/").pop() ?? ref.path;

/** A content digest such as `sha256:<64 hex>`. */
export const isDigest = (d: string | undefined) => d !== undefined && /^sha256:[0-9a-f]{64}$/.test(d);

/** An image id as Docker reports it (`sha256:...`): refers to local content, not a registry. */
export const isImageId = (text: string) => /^sha256:[0-9a-zA-Z-]+$/.test(text);

/** The number of numeric parts of a version tag (`2.9.4` → 3, `15` → 1, `v1.2-alpine` → 2), 0 if not a version. */
export function versionParts(tag: string): number {
    const m = /^v?(\d+(?:\.\d+)*)(?:[-+_][0-9A-Za-z.+_-]*)?$/.exec(tag);
    return m ? m[1].split(".").length : 0;
}

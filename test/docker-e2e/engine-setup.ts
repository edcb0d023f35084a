// The Docker engine the e2e needs, and the project's images in it. scripts/test.sh starts
// dockerd (tools/docker/start-dockerd.sh) and exports CANTON_HA_DOCKER=1; without an engine
// the tests FAIL in CI (or when CANTON_HA_DOCKER=1), and skip with a loud line elsewhere.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { beforeAll, describe } from "vitest";
import { docker, dockerAvailable, DOCKER_SOCKET } from "./engine-api";
import { appsArchive, IMAGES } from "./stack";

const NOT_UP =
    `DOCKER NOT UP: no Docker engine answers on ${DOCKER_SOCKET}. scripts/test.sh starts one ` +
    "(tools/docker/start-dockerd.sh, which installs Debian's docker.io if missing) and exports CANTON_HA_DOCKER=1.";

/** Fails with the reason when no engine answers. */
export async function requireDocker(): Promise<string> {
    const version = await dockerAvailable();
    if (!version) throw new Error(NOT_UP);
    return version;
}

/** A describe block that needs dockerd: fails in CI (or with CANTON_HA_DOCKER=1) without it, skips loudly elsewhere. */
export function describeDocker(name: string, fn: () => void): void {
    const required = process.env.CANTON_HA_DOCKER === "1" || process.env.CI === "true" || process.env.CI === "1";
    if (required || existsSync(DOCKER_SOCKET)) {
        describe(name, () => {
            beforeAll(requireDocker);
            fn();
        });
    } else {
        console.warn(`!! ${name}: NOT RUN here (not CI): ${NOT_UP}`);
        describe.skip(name, fn);
    }
}

export const imageRefs = () => [`${IMAGES.canton.image}:${IMAGES.canton.version}`, IMAGES.postgres, IMAGES.haproxy, IMAGES.nginx];

/** The image ids (config digests) the archive's docker-archive manifest.json promises, by tag. */
function archiveImageIds(archive: string): Map<string, string> {
    const manifest = JSON.parse(execFileSync("tar", ["-xOf", archive, "manifest.json"], { encoding: "utf8" })) as { Config: string; RepoTags: string[] }[];
    return new Map(manifest.flatMap((m) => m.RepoTags.map((tag): [string, string] => [tag, `sha256:${m.Config.split("/").pop()}`])));
}

/**
 * The project's images, loaded as a user loads them: `docker load` of the archive
 * tools/cluster/app-images.sh builds (scripts/setup.sh cluster). Nothing is pulled. An image
 * dockerd already has under the same tag but with another id (an older build: dockerd's
 * store outlives a run) is loaded again, so the e2e never runs a stale stand-in.
 */
export async function ensureImages(): Promise<string> {
    const archive = appsArchive();
    if (!existsSync(archive)) throw new Error(`${archive} does not exist: build it with tools/cluster/app-images.sh (scripts/setup.sh cluster)`);
    const want = archiveImageIds(archive);
    const differs = async (ref: string) => (await docker.imageInspect(ref).catch(() => undefined))?.Id !== want.get(ref);
    const stale: string[] = [];
    for (const ref of imageRefs()) {
        if (!want.has(ref)) throw new Error(`${archive} has no image ${ref} (its tags: ${[...want.keys()].join(", ")})`);
        if (await differs(ref)) stale.push(ref);
    }
    if (stale.length === 0) return "already loaded (ids match the archive)";
    const t0 = Date.now();
    try {
        await docker.imageLoad(createReadStream(archive));
    } catch (e) {
        throw new Error(`docker load ${archive} failed: ${(e as Error).message}. (Docker 20.10 loads a docker-archive with manifest.json; issue 19, defect 6.)`);
    }
    const still: string[] = [];
    for (const ref of stale) if (await differs(ref)) still.push(ref);
    if (still.length) throw new Error(`docker load ${archive} did not provide ${still.join(", ")} with the archive's ids`);
    return `loaded ${archive} (${stale.join(", ")} missing or stale) in ${Date.now() - t0} ms`;
}

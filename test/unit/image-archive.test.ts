// tools/images/build-rootfs-image.sh writes one archive that both containerd (`ctr images
// import`: the OCI layout) and Docker 20.10 (`docker load`: manifest.json) load (issue 19: the
// OCI layout alone was refused by `docker load`). Structure always; a real `docker load`
// when a Docker engine answers (tools/docker/start-dockerd.sh), which the test says it ran.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MKIMG = path.join(__dirname, "..", "..", "tools", "images", "build-rootfs-image.sh");
const NAMES = ["localhost/canton-ha-test/archive-a:1", "localhost/canton-ha-test/archive-b:2"];
let dir: string;
let archive: string;
let files: Map<string, Buffer>;

const json = (name: string) => JSON.parse(files.get(name)!.toString("utf8"));
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "canton-ha-archive-"));
    for (const [i, layer] of ["base", "top-a", "top-b"].entries()) {
        fs.mkdirSync(path.join(dir, layer, "etc"), { recursive: true });
        fs.writeFileSync(path.join(dir, layer, "etc", `${layer}.txt`), `layer ${i}\n`);
    }
    const layout = path.join(dir, "layout");
    const run = (args: string[]) => execFileSync("bash", [MKIMG, ...args], { stdio: "pipe" });
    run(["--layout", layout, "--rootfs", path.join(dir, "base"), "--rootfs", path.join(dir, "top-a"), "--name", NAMES[0], "--cmd", "true"]);
    run(["--layout", layout, "--rootfs", path.join(dir, "base"), "--rootfs", path.join(dir, "top-b"), "--name", NAMES[1], "--user", "101:101"]);
    archive = path.join(dir, "images.tar");
    run(["--pack", layout, "--out", archive]);
    const extracted = path.join(dir, "x");
    fs.mkdirSync(extracted);
    execFileSync("tar", ["-C", extracted, "-xf", archive]);
    files = new Map();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else files.set(path.relative(extracted, p), fs.readFileSync(p));
        }
    };
    walk(extracted);
});

afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the image archive", () => {
    it("is an OCI layout: oci-layout, index.json naming each image, blobs under their digests", () => {
        expect(json("oci-layout")).toEqual({ imageLayoutVersion: "1.0.0" });
        const index = json("index.json");
        expect(index.manifests.map((m: any) => m.annotations["io.containerd.image.name"])).toEqual(NAMES);
        for (const [name, content] of files) if (name.startsWith("blobs/sha256/")) expect(sha256(content)).toBe(name.slice("blobs/sha256/".length));
    });

    it("carries docker load's manifest.json: per image its tag, its config and its layers, the same blobs the OCI manifests name", () => {
        const docker = json("manifest.json");
        const index = json("index.json");
        expect(docker.map((m: any) => m.RepoTags)).toEqual(NAMES.map((n) => [n]));
        for (const [i, entry] of docker.entries()) {
            const oci = json(`blobs/sha256/${index.manifests[i].digest.slice("sha256:".length)}`);
            expect(entry.Config).toBe(`blobs/sha256/${oci.config.digest.slice("sha256:".length)}`);
            expect(entry.Layers).toEqual(oci.layers.map((l: any) => `blobs/sha256/${l.digest.slice("sha256:".length)}`));
            // docker load checks each layer tar against the config's diff_ids (uncompressed layers: the same digest).
            const config = json(entry.Config);
            expect(config.rootfs.diff_ids).toEqual(entry.Layers.map((l: string) => `sha256:${sha256(files.get(l)!)}`));
            expect(entry.Layers).toHaveLength(2);
        }
    });

    it("loads into a running Docker engine with its names and settings, when one answers", () => {
        if (spawnSync("docker", ["info"], { stdio: "ignore" }).status !== 0) {
            console.log("image-archive: NOT RUN against Docker: no engine answers `docker info` (structure checked above)");
            return;
        }
        try {
            const out = execFileSync("docker", ["load", "-i", archive], { encoding: "utf8" });
            for (const n of NAMES) expect(out).toContain(`Loaded image: ${n}`);
            const user = execFileSync("docker", ["image", "inspect", "--format", "{{.Config.User}}", NAMES[1]], { encoding: "utf8" }).trim();
            expect(user).toBe("101:101");
            console.log(
                `image-archive: docker load of ${NAMES.length} images: ok (${execFileSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8" }).trim()})`,
            );
        } finally {
            spawnSync("docker", ["rmi", ...NAMES], { stdio: "ignore" });
        }
    });
});

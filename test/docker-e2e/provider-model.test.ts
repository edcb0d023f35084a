// The harness's model of the docker provider, on its own (no dockerd needed): the upload and
// duration rules read from kreuzwerker/terraform-provider-docker v4.5.0, and that the model
// refuses what it does not know instead of dropping it.
import { describe, expect, it } from "vitest";
import { containerPlan, parseGoDuration, uploadFile } from "./provider-model";

const base = { name: "c", image: "sha256:x" };

describe("uploads, as resourceDockerContainerCreate archives them", () => {
    it("refuses empty content, as the provider does (issue 19, defect 1)", () => {
        expect(() => uploadFile({ file: "/tmp/x/.keep", content: "" }, "c")).toThrow(/one of 'content', 'content_base64', or 'source' must be set/);
        expect(() => uploadFile({ file: "/a", content: "x", contentBase64: "eA==" }, "c")).toThrow(/only one of/);
    });

    it("mode: 0644 by default, 0744 when executable, `permissions` (octal) over both", () => {
        expect(uploadFile({ file: "/a", content: "x" }, "c").mode).toBe(0o644);
        expect(uploadFile({ file: "/a", content: "x", executable: true }, "c").mode).toBe(0o744);
        expect(uploadFile({ file: "/a", content: "x", executable: true, permissions: "0440" }, "c").mode).toBe(0o440);
        expect(() => uploadFile({ file: "/a", content: "x", permissions: "rw" }, "c")).toThrow(/Error parsing permission/);
    });

    it("owner and group: numeric ids as given; names are refused (the provider resolves them on the Pulumi host)", () => {
        expect(uploadFile({ file: "/a", content: "x", owner: "999", group: "0" }, "c")).toMatchObject({ uid: 999, gid: 0 });
        expect(() => uploadFile({ file: "/a", content: "x", owner: "postgres" }, "c")).toThrow(/numeric id/);
    });

    it("base64 content is uploaded as its bytes", () => {
        expect(uploadFile({ file: "/a", contentBase64: Buffer.from([0, 1, 2]).toString("base64") }, "c").content).toEqual(Buffer.from([0, 1, 2]));
    });
});

describe("container fields", () => {
    it("durations parse as Go's time.ParseDuration; a malformed one is refused (the provider would use 0)", () => {
        expect(parseGoDuration("2m0s", "x")).toBe(120e9);
        expect(parseGoDuration("120s", "x")).toBe(120e9);
        expect(parseGoDuration("1.5s", "x")).toBe(1.5e9);
        expect(() => parseGoDuration("2 minutes", "x")).toThrow(/not a Go duration/);
    });

    it("publishes only on the allowed address; the provider's default is 0.0.0.0", () => {
        expect(() => containerPlan({ ...base, ports: [{ internal: 1, external: 1 }] }, "img", "127.0.0.1")).toThrow(/0\.0\.0\.0/);
        const p = containerPlan({ ...base, ports: [{ internal: 1, external: 1, ip: "127.0.0.1" }] }, "img", "127.0.0.1");
        expect((p.body.HostConfig as any).PortBindings).toEqual({ "1/tcp": [{ HostIp: "127.0.0.1", HostPort: "1" }] });
    });

    it("defaults as the schema's: restart no, start, must_run and remove_volumes true, wait_timeout 60", () => {
        const p = containerPlan(base, "img", "127.0.0.1");
        expect((p.body.HostConfig as any).RestartPolicy).toEqual({ Name: "no", MaximumRetryCount: 0 });
        expect(p).toMatchObject({ start: true, mustRun: true, removeVolumes: true, wait: false, waitTimeoutSeconds: 60 });
    });

    it("an input the model does not know fails loudly instead of being dropped", () => {
        expect(() => containerPlan({ ...base, privileged: true }, "img", "127.0.0.1")).toThrow(/does not model docker.Container input\(s\) privileged/);
        expect(() => containerPlan({ ...base, command: ["a", ""] }, "img", "127.0.0.1")).toThrow(/may not be empty/);
    });
});

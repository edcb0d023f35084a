// Runs what the program registered on the real dockerd, as `pulumi up` with the docker provider
// would: every docker resource once all it depends on exists (the engine's order, in parallel
// where the graph allows), each created as provider-model.ts says the provider creates it.
// `destroy` removes them in reverse order, keeping what is `retainOnDelete`, refusing what is
// `protect`ed (as `pulumi destroy` does). This proves the containers the program asks for, on
// a real engine; it does not prove the provider (which cannot be built here).
import { docker, type ContainerInspect } from "./engine-api";
import type { Captured } from "./program";
import { containerPlan, networkBody, volumeBody, type ContainerPlan } from "./provider-model";
import { tarOf } from "./tar";

const DOCKER = "docker:index/";
const isDocker = (r: Captured) => r.type.startsWith(DOCKER);

export interface JobRun {
    exitCode: number;
    logs: string;
}

export interface Timing {
    name: string;
    ms: number;
}

export class DockerStack {
    readonly byUrn = new Map<string, Captured>();
    /** Container resource name -> container id. */
    readonly containerIds = new Map<string, string>();
    readonly plans = new Map<string, ContainerPlan>();
    readonly jobs = new Map<string, JobRun>();
    readonly created: Timing[] = [];
    private readonly images = new Map<string, string>();

    constructor(
        readonly resources: Captured[],
        private readonly publishOn = "127.0.0.1",
    ) {
        for (const r of resources) this.byUrn.set(r.urn, r);
    }

    docker(type: string): Captured[] {
        return this.resources.filter((r) => r.type === `${DOCKER}${type}`);
    }

    containers(): Captured[] {
        return this.docker("container:Container");
    }

    /** The docker resources `r` waits for: its dependencies, through non-docker resources and components. */
    dockerDeps(r: Captured): Captured[] {
        const out = new Set<Captured>();
        const seen = new Set<string>();
        const children = (urn: string) => this.resources.filter((x) => x.parent === urn);
        const visit = (urn: string) => {
            if (seen.has(urn)) return;
            seen.add(urn);
            const d = this.byUrn.get(urn);
            if (!d) throw new Error(`${r.name} depends on ${urn}, which the program never registered`);
            if (isDocker(d)) out.add(d);
            else if (!d.custom) children(urn).forEach((c) => visit(c.urn));
            else d.dependsOn.forEach(visit);
        };
        r.dependsOn.forEach(visit);
        return [...out];
    }

    /** Creates everything, in dependency order; per-resource creation times in `created`. */
    async up(): Promise<void> {
        const done = new Map<string, Promise<void>>();
        const create = (r: Captured): Promise<void> => {
            let p = done.get(r.urn);
            if (!p) {
                p = Promise.all(this.dockerDeps(r).map(create)).then(async () => {
                    const t0 = performance.now();
                    await this.createOne(r);
                    this.created.push({ name: `${r.type.slice(DOCKER.length).split(":")[0]} ${r.name}`, ms: Math.round(performance.now() - t0) });
                });
                done.set(r.urn, p);
            }
            return p;
        };
        const all = this.resources.filter(isDocker).map((r) =>
            create(r).then(
                () => undefined,
                (e: unknown) => e,
            ),
        );
        const errors = (await Promise.all(all)).filter((e) => e !== undefined);
        if (errors.length > 0) throw new Error(`up failed:\n${[...new Set(errors.map(String))].join("\n")}`);
    }

    private async createOne(r: Captured): Promise<void> {
        switch (r.type) {
            case `${DOCKER}remoteImage:RemoteImage`: {
                // The provider pulls only what the engine lacks; no registry is reachable here.
                const img = await docker.imageInspect(r.inputs.name).catch(() => {
                    throw new Error(`image ${r.inputs.name} is not in dockerd (the provider would pull it; nothing can be pulled here): load the project's images first`);
                });
                this.images.set(`sha256:${r.name}`, img.Id);
                return;
            }
            case `${DOCKER}network:Network`:
                await docker.networkCreate(networkBody(r.inputs));
                return;
            case `${DOCKER}volume:Volume`:
                await docker.volumeCreate(volumeBody(r.inputs));
                return;
            case `${DOCKER}container:Container`:
                return this.createContainer(r);
            default:
                throw new Error(`${r.type} ${r.name}: not modelled by the harness`);
        }
    }

    private async createContainer(r: Captured): Promise<void> {
        const image = this.images.get(r.inputs.image);
        if (!image) throw new Error(`${r.name}: image ${r.inputs.image} comes from no RemoteImage it depends on`);
        const plan = containerPlan(r.inputs, image, this.publishOn);
        this.plans.set(r.name, plan);
        const { Id: id } = await docker.containerCreate(plan.name, plan.body);
        this.containerIds.set(r.name, id);
        if (plan.networks.length > 0) {
            await docker.networkDisconnect("bridge", { Container: id, Force: false }).catch((e: Error) => {
                if (!/is not connected to the network bridge/.test(e.message)) throw e;
            });
            for (const n of plan.networks) await docker.networkConnect(n.name, { Container: id, EndpointConfig: { Aliases: n.aliases } });
        }
        for (const u of plan.uploads) await docker.putArchive(id, "/", tarOf([{ name: u.path, content: u.content, mode: u.mode, uid: u.uid, gid: u.gid }]));
        if (!plan.start) return;
        await docker.start(id);
        if (plan.wait) await this.waitHealthy(plan.name, id, plan.waitTimeoutSeconds);
        if (plan.attach) {
            const exit = await docker.wait(id, plan.waitTimeoutSeconds * 1000 + 600_000);
            const logs = plan.logs ? await docker.logs(id) : { stdout: "", stderr: "" };
            this.jobs.set(r.name, { exitCode: exit.StatusCode, logs: logs.stdout + logs.stderr });
            // The program's bootstrap check (checkRun): a failed job fails `pulumi up`.
            if (exit.StatusCode !== 0) throw new Error(`job ${r.name} exited ${exit.StatusCode}:\n${(logs.stdout + logs.stderr).split("\n").slice(-30).join("\n")}`);
        }
    }

    /** As the provider: inspect every second until healthy, up to `wait_timeout`. */
    private async waitHealthy(name: string, id: string, timeoutSeconds: number): Promise<void> {
        const deadline = Date.now() + timeoutSeconds * 1000;
        let last: ContainerInspect | undefined;
        while (Date.now() < deadline) {
            last = await docker.inspect(id);
            if (!last.State.Health) throw new Error(`${name}: you have supplied a 'wait' argument, but the container does not have a healthcheck defined`);
            if (last.State.Health.Status === "healthy") return;
            await new Promise((res) => setTimeout(res, 1000));
        }
        const logs = await docker.logs(id).catch(() => ({ stdout: "", stderr: "" }));
        throw new Error(
            `${name}: container failed to be in healthy state in time (${timeoutSeconds} s): state ${last?.State.Status}, health ${last?.State.Health?.Status}, ` +
                `restarts ${last?.RestartCount}\n--- last health check ---\n${last?.State.Health?.Log?.at(-1)?.Output ?? ""}\n--- log tail ---\n${(logs.stdout + logs.stderr).split("\n").slice(-20).join("\n")}`,
        );
    }

    /** `pulumi destroy`: containers first (dependents before what they depend on), then volumes and networks. */
    async destroy(): Promise<void> {
        const protectedOnes = this.resources.filter((r) => isDocker(r) && r.protect);
        if (protectedOnes.length) throw new Error(`destroy refused: protected: ${protectedOnes.map((r) => r.name).join(", ")}`);
        const dependents = new Map<string, Captured[]>();
        for (const r of this.resources.filter(isDocker)) for (const d of this.dockerDeps(r)) (dependents.get(d.urn) ?? dependents.set(d.urn, []).get(d.urn)!).push(r);
        const done = new Map<string, Promise<void>>();
        const remove = (r: Captured): Promise<void> => {
            let p = done.get(r.urn);
            if (!p) {
                p = Promise.all((dependents.get(r.urn) ?? []).map(remove)).then(() => this.deleteOne(r));
                done.set(r.urn, p);
            }
            return p;
        };
        await Promise.all(this.resources.filter(isDocker).map(remove));
    }

    private async deleteOne(r: Captured): Promise<void> {
        const gone = (e: Error) => {
            if (!/No such|not found/i.test(e.message)) throw e;
        };
        switch (r.type) {
            case `${DOCKER}container:Container`: {
                const id = this.containerIds.get(r.name) ?? r.inputs.name;
                const plan = this.plans.get(r.name);
                if (!plan?.attach) await docker.stop(id, plan?.destroyGraceSeconds ?? 0).catch(gone);
                await docker.remove(id, plan?.removeVolumes ?? true).catch(gone);
                return;
            }
            case `${DOCKER}volume:Volume`:
                if (!r.retainOnDelete) await docker.volumeRemove(r.inputs.name).catch(gone);
                return;
            case `${DOCKER}network:Network`:
                await docker.networkRemove(r.inputs.name).catch(gone);
                return;
            default:
                // RemoteImage: keepLocally, nothing to do.
                return;
        }
    }

    /** Removes every container, network and volume named `<prefix>...` (leftovers of an earlier run). */
    static async sweep(prefix: string): Promise<string[]> {
        const removed: string[] = [];
        for (const c of await docker.containers(`^/${prefix}`)) {
            await docker.remove(c.Id, true);
            removed.push(`container ${c.Names[0]}`);
        }
        for (const n of await docker.networks(prefix)) {
            if (!n.Name.startsWith(prefix)) continue;
            await docker.networkRemove(n.Id);
            removed.push(`network ${n.Name}`);
        }
        for (const v of (await docker.volumes(prefix)).Volumes ?? []) {
            if (!v.Name.startsWith(prefix)) continue;
            await docker.volumeRemove(v.Name);
            removed.push(`volume ${v.Name}`);
        }
        return removed;
    }

    /** What the engine holds under the prefix: containers, networks, volumes. */
    static async leftovers(prefix: string): Promise<string[]> {
        const cs = (await docker.containers(`^/${prefix}`)).map((c) => `container ${c.Names[0].slice(1)}`);
        const ns = (await docker.networks(prefix)).filter((n) => n.Name.startsWith(prefix)).map((n) => `network ${n.Name}`);
        const vs = ((await docker.volumes(prefix)).Volumes ?? []).filter((v) => v.Name.startsWith(prefix)).map((v) => `volume ${v.Name}`);
        return [...cs, ...ns, ...vs].sort();
    }
}

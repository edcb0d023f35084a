// Kubernetes pod security (the "restricted" Pod Security Standard, in short): no root, no
// privilege escalation, every capability dropped, nothing privileged.
import { isPodCarrier, podTemplateOf } from "../lib/model";
import { bool, resourcePolicy, stringList } from "../lib/policy";
import { UNKNOWN } from "../lib/props";

export const k8sPodSecurity = resourcePolicy<{ allowedCapabilities: string[]; requireReadOnlyRootFilesystem: boolean }>({
    name: "k8s-pod-security-context",
    description:
        "Kubernetes containers run as non-root (runAsNonRoot, no UID 0), with allowPrivilegeEscalation false, capabilities drop ALL (adding only allowed ones), not privileged, and a RuntimeDefault or Localhost seccomp profile.",
    enforcementLevel: "mandatory",
    config: {
        allowedCapabilities: stringList("Capabilities containers may add back.", []),
        requireReadOnlyRootFilesystem: bool("Also require readOnlyRootFilesystem.", false),
    },
    validate(res, cfg, report) {
        if (!isPodCarrier(res.type)) return;
        const tpl = podTemplateOf(res);
        if (!tpl) return;
        const pod = tpl.spec.securityContext ?? {};
        for (const c of [...(tpl.spec.initContainers ?? []), ...(tpl.spec.containers ?? [])] as any[]) {
            const sc = c?.securityContext ?? {};
            const here = `container '${String(c?.name)}'`;
            const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
            const uid = sc.runAsUser ?? pod.runAsUser;
            if (nonRoot !== true)
                report(`${here} may run as root (runAsNonRoot is not true)`, "set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser");
            if (uid === 0) report(`${here} runs as UID 0`, "set runAsUser to the image's non-root user");
            if (sc.allowPrivilegeEscalation !== false) report(`${here} allows privilege escalation`, "set securityContext.allowPrivilegeEscalation: false");
            if (sc.privileged === true) report(`${here} is privileged`, "remove securityContext.privileged");
            const drop = (sc.capabilities?.drop ?? []) as unknown[];
            if (!drop.includes("ALL") && !drop.includes(UNKNOWN)) report(`${here} keeps the default capabilities`, 'set securityContext.capabilities.drop: ["ALL"]');
            const add = ((sc.capabilities?.add ?? []) as unknown[]).filter((x) => x !== UNKNOWN && !cfg.allowedCapabilities.includes(String(x)));
            if (add.length > 0) report(`${here} adds the capabilities ${add.join(", ")}`, "remove them, or allow them in the policy pack config");
            const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
            if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
                report(`${here} runs without a seccomp profile (${seccomp ?? "not set"})`, "set securityContext.seccompProfile.type: RuntimeDefault on the pod");
            if (cfg.requireReadOnlyRootFilesystem && sc.readOnlyRootFilesystem !== true)
                report(`${here} has a writable root file system`, "set readOnlyRootFilesystem: true and mount emptyDirs for the paths it writes");
        }
    },
});

export const k8sNoHostAccess = resourcePolicy({
    name: "k8s-no-host-access",
    description: "Kubernetes pods do not share the node's network, PID or IPC namespace and mount no hostPath volume.",
    enforcementLevel: "mandatory",
    validate(res, _cfg, report) {
        if (!isPodCarrier(res.type)) return;
        const tpl = podTemplateOf(res);
        if (!tpl) return;
        for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (tpl.spec[ns] === true) report(`the pod sets ${ns}: true and shares that namespace with its node`, `remove ${ns}`);
        }
        for (const v of (tpl.spec.volumes ?? []) as any[]) {
            if (v?.hostPath)
                report(
                    `the volume '${String(v.name)}' mounts the node's ${String(v.hostPath.path)} (hostPath)`,
                    "use a PersistentVolumeClaim, a ConfigMap/Secret or an emptyDir instead",
                );
        }
    },
});

// Images: pinned (a tag that does not move, or a digest), from an allowed registry, and
// (advisory) at an exact version. Docker: RemoteImage names (containers refer to the pulled
// image's id); Kubernetes: every container image of a pod template.
import { imageName, isDigest, isImageId, parseImage, versionParts, type ImageRef } from "../lib/images";
import { isPodCarrier, podTemplateOf, T } from "../lib/model";
import { isText, type Res } from "../lib/props";
import { bool, integer, resourcePolicy, stringList } from "../lib/policy";

/** Every image a resource refers to, with where. */
function imagesOf(res: Res): { ref: ImageRef; where: string }[] {
    if (res.type === T.remoteImage) return isText(res.props.name) ? [{ ref: parseImage(res.props.name), where: `image ${res.props.name}` }] : [];
    if (res.type === T.container) {
        const img = res.props.image;
        return isText(img) && !isImageId(img) ? [{ ref: parseImage(img), where: `image ${img}` }] : [];
    }
    if (isPodCarrier(res.type)) {
        const tpl = podTemplateOf(res);
        return [...(tpl?.spec.initContainers ?? []), ...(tpl?.spec.containers ?? [])]
            .filter((c: any) => isText(c?.image))
            .map((c: any) => ({ ref: parseImage(c.image), where: `container '${String(c.name)}' image ${c.image}` }));
    }
    return [];
}

export const imagePinned = resourcePolicy<{ floatingTags: string[] }>({
    name: "image-pinned",
    description: "Every image names an explicit tag that is not a moving one (latest, stable, ...) or a sha256 digest.",
    enforcementLevel: "mandatory",
    config: { floatingTags: stringList("Tags that move and never pin an image.", ["latest", "stable", "main", "master", "edge", "nightly", "dev", "lts", "current"]) },
    validate(res, cfg, report) {
        for (const { ref, where } of imagesOf(res)) {
            if (ref.digest !== undefined) {
                if (!isDigest(ref.digest)) report(`${where} has a malformed digest`, "use @sha256:<64 hex digits>");
                continue;
            }
            if (ref.tag === undefined)
                report(`${where} has no tag, so it means ':latest' and changes with every push`, "pin an exact version (e.g. :2.9.4) or a digest (@sha256:...)");
            else if (cfg.floatingTags.includes(ref.tag.toLowerCase())) report(`${where} uses the moving tag '${ref.tag}'`, "pin an exact version or a digest");
        }
    },
});

export const imageExactVersion = resourcePolicy<{ minVersionParts: number; versionPartsByImage: Record<string, number> }>({
    name: "image-exact-version",
    description: "Advisory: image tags name an exact release (2.9.4, not 2.9) or a digest, so a redeploy runs the same bits.",
    enforcementLevel: "advisory",
    config: {
        minVersionParts: integer("Numeric parts an exact version tag has (2.9.4: 3).", 3, 1),
        versionPartsByImage: { type: "object", default: { postgres: 2 }, description: "Per image name, when its releases have fewer parts (Postgres: 15.8)." },
    },
    validate(res, cfg, report) {
        for (const { ref, where } of imagesOf(res)) {
            if (ref.digest !== undefined || ref.tag === undefined) continue; // image-pinned reports a missing tag
            const want = cfg.versionPartsByImage[imageName(ref)] ?? cfg.minVersionParts;
            const have = versionParts(ref.tag);
            if (have < want)
                report(
                    `${where} names a release line ('${ref.tag}'), not an exact version: a later pull may bring other bits`,
                    `pin the full version (${want} numeric parts) or a digest`,
                );
        }
    },
});

export const imageAllowedRegistries = resourcePolicy<{ allowedRegistries: string[]; allowDockerHub: boolean }>({
    name: "image-allowed-registries",
    description:
        "Images come from an allowed registry (a list in the pack config; empty by default, so a registry must be listed explicitly), or from Docker Hub where allowDockerHub is set.",
    enforcementLevel: "mandatory",
    config: {
        allowedRegistries: stringList("Registry hosts (with port) images may come from; also matches registry/path prefixes.", []),
        allowDockerHub: bool("Allow images without a registry host (Docker Hub: postgres, haproxy, nginx).", true),
    },
    validate(res, cfg, report) {
        for (const { ref, where } of imagesOf(res)) {
            if (ref.registry === undefined || ref.registry === "docker.io" || ref.registry === "index.docker.io") {
                if (!cfg.allowDockerHub)
                    report(`${where} comes from Docker Hub, which is not allowed`, "pull it from an allowed registry (a mirror), or set allowDockerHub in the policy pack config");
                continue;
            }
            const full = `${ref.registry}/${ref.path}`;
            const ok = cfg.allowedRegistries.some((a) => ref.registry === a || full.startsWith(`${a.replace(/\/$/, "")}/`));
            if (!ok) {
                report(
                    `${where} comes from the registry '${ref.registry}', which is not in allowedRegistries (${cfg.allowedRegistries.join(", ") || "empty"})`,
                    `add '${ref.registry}' to allowedRegistries of image-allowed-registries in the policy pack config (pulumi preview --policy-pack-config <file>), or pull the image from an allowed mirror`,
                );
            }
        }
    },
});
